/**
 * Typed wrappers for the credit functions the app calls directly
 * (supabase/migrations/*_credit_functions.sql). Reversals run inside webhook
 * actions (lib/db/actions.ts), spending through the API-key functions
 * (api-keys.ts), and pending grants are claimed by SQL on sign-up; the tests
 * call those functions through tests/helpers/credit-rpc.ts.
 */
import { z } from "zod";
import type { PaymentProviderName } from "@/lib/providers/names";
import type { Database } from "../port";
import { int, uuid } from "./scalars";

export const grantResult = z.object({
  outcome: z.enum(["granted", "pending", "duplicate"]),
  purchase_id: uuid,
  user_id: uuid.nullable(),
  balance: int.nullable(),
  credits: int,
  email: z.string().nullable(),
});
export type GrantResult = z.infer<typeof grantResult>;

export interface GrantArgs {
  provider: PaymentProviderName;
  externalId: string;
  userId?: string | null;
  email?: string | null;
  /** null/undefined: the credits of packageId */
  credits?: number | null;
  amountMinor: number;
  currency: string;
  packageId?: string | null;
  eventId?: string | null;
}

export async function grantCreditsForPurchase(db: Database, a: GrantArgs): Promise<GrantResult> {
  return grantResult.parse(
    await db.rpc("grant_credits_for_purchase", {
      p_provider: a.provider,
      p_external_id: a.externalId,
      p_user_id: a.userId ?? null,
      p_email: a.email ?? null,
      p_credits: a.credits ?? null,
      p_amount_minor: a.amountMinor,
      p_currency: a.currency,
      p_package_id: a.packageId ?? null,
      p_event_id: a.eventId ?? null,
    }),
  );
}

export async function syncAdminEmails(db: Database, emails: string[]): Promise<number> {
  return int.parse(await db.rpc("sync_admin_emails", { p_emails: emails }));
}
