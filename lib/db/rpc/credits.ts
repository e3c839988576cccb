/** Typed wrappers for the credit functions (supabase/migrations/*_credit_functions.sql). */
import { z } from "zod";
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
  provider: "stripe" | "fireblocks" | "invoices" | "paystack";
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

export const reverseResult = z.object({
  outcome: z.enum(["reversed", "unchanged"]),
  purchase_id: uuid,
  user_id: uuid.nullable(),
  credits_reversed: int,
  status: z.string(),
  balance: int.nullable(),
});
export type ReverseResult = z.infer<typeof reverseResult>;

export type ReversalKind = "refund" | "dispute" | "dispute_reinstated" | "dispute_lost";

export async function reversePurchaseCredits(
  db: Database,
  a: { provider: string; externalId: string; kind: ReversalKind; reference: string; refundedMinor?: number | null },
): Promise<ReverseResult> {
  return reverseResult.parse(
    await db.rpc("reverse_purchase_credits", {
      p_provider: a.provider,
      p_external_id: a.externalId,
      p_kind: a.kind,
      p_reference: a.reference,
      p_refunded_minor: a.refundedMinor ?? null,
    }),
  );
}

export async function claimPendingCreditGrants(db: Database, userId: string, email: string): Promise<number> {
  return int.parse(await db.rpc("claim_pending_credit_grants", { p_user_id: userId, p_email: email }));
}

export const spendResult = z.object({ outcome: z.enum(["spent", "duplicate"]), balance: int });

export async function spendCredits(db: Database, userId: string, amount: number, idempotencyKey: string) {
  return spendResult.parse(
    await db.rpc("spend_credits", { p_user_id: userId, p_amount: amount, p_idempotency_key: idempotencyKey }),
  );
}

export async function syncAdminEmails(db: Database, emails: string[]): Promise<number> {
  return int.parse(await db.rpc("sync_admin_emails", { p_emails: emails }));
}
