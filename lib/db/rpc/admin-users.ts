/** Typed wrappers for the admin's account pages and adjustments (supabase/migrations/*_spend_and_adjust.sql). */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "./scalars";

export const userSummary = z.object({
  id: uuid,
  email: z.string(),
  is_admin: z.boolean(),
  balance: int,
  created_at: timestamp,
});
export type UserSummary = z.infer<typeof userSummary>;

const foundUser = userSummary.extend({ balance: int.nullable().transform((b) => b ?? 0) });

/** Accounts whose e-mail contains `query` (all when empty), newest first. */
export async function findUsers(db: Database, query: string, limit = 50): Promise<UserSummary[]> {
  return z
    .array(foundUser)
    .parse(await db.rpc("admin_find_users", { p_query: query, p_limit: limit }, { returns: "rows" }));
}

/** One account as its admin page shows it: the summary, and whether it is confirmed and disabled (by whom, why). */
export const userDetail = userSummary.extend({
  email_confirmed: z.boolean(),
  disabled: z.boolean(),
  disabled_at: timestamp.nullable(),
  disabled_by_email: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  active_api_keys: int,
});
export type UserDetail = z.infer<typeof userDetail>;

export async function getUser(db: Database, userId: string): Promise<UserDetail | null> {
  const row = await db.rpc("admin_get_user", { p_user_id: userId });
  return row === null ? null : userDetail.parse(row);
}

export const pendingGrant = z.object({
  id: uuid,
  purchase_id: uuid,
  email: z.string(),
  credits: int,
  created_at: timestamp,
  claimed_at: timestamp.nullable(),
});
export type PendingGrant = z.infer<typeof pendingGrant>;

export async function listPendingGrantsForUser(db: Database, userId: string): Promise<PendingGrant[]> {
  return z
    .array(pendingGrant)
    .parse(await db.rpc("list_pending_grants_for_user", { p_user_id: userId }, { returns: "rows" }));
}

export const adjustResult = z.object({ outcome: z.literal("adjusted"), ledger_id: uuid, balance: int });
export type AdjustResult = z.infer<typeof adjustResult>;

/** An admin's grant (delta > 0) or deduction (delta < 0) with a reason; the database checks the admin and the balance. */
export async function adjustCredits(
  db: Database,
  a: { userId: string; delta: number; reason: string; adminId: string },
): Promise<AdjustResult> {
  return adjustResult.parse(
    await db.rpc("adjust_credits", {
      p_user_id: a.userId,
      p_delta: a.delta,
      p_reason: a.reason,
      p_admin_id: a.adminId,
    }),
  );
}
