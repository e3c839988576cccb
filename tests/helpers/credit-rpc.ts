/**
 * Typed calls of credit functions that the app reaches only from SQL (reversals
 * inside webhook actions, claims on sign-up) or through another function
 * (spending through API keys): the SQL suites call them directly.
 */
import { z } from "zod";
import type { ReversalKind } from "@/lib/db/actions";
import type { Database } from "@/lib/db/port";
import { int, uuid } from "@/lib/db/scalars";

export const reverseResult = z.object({
  outcome: z.enum(["reversed", "unchanged"]),
  purchase_id: uuid,
  user_id: uuid.nullable(),
  credits_reversed: int,
  status: z.string(),
  balance: int.nullable(),
});
export type ReverseResult = z.infer<typeof reverseResult>;

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
