/**
 * Typed calls of supabase/schemas/057_account_access.sql: what ends an account's access ("sign out
 * everywhere", an admin disabling the account; both revoke every API key and every session of the
 * account in the same transaction), and the admin's search and view of accounts.
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

const revocation = z.object({ keys_revoked: int, sessions_ended: int });
export type Revocation = z.infer<typeof revocation>;

/** Every session of the account ends and every API key is revoked (reason signed_out_everywhere). */
export async function signOutEverywhere(db: Database, userId: string): Promise<Revocation> {
  return revocation.parse(await db.rpc("sign_out_everywhere", { p_user_id: userId }));
}

const disabledResult = z.object({ user_id: uuid, disabled: z.boolean() });
export type DisabledResult = z.infer<typeof disabledResult>;

/** An admin disables (keys and sessions revoked, sign-in refused) or enables an account; refused for non-admins. */
export async function setAccountDisabled(
  db: Database,
  a: { userId: string; disabled: boolean; adminId: string; reason?: string | null },
): Promise<DisabledResult> {
  return disabledResult.parse(
    await db.rpc("admin_set_account_disabled", {
      p_user_id: a.userId,
      p_disabled: a.disabled,
      p_admin_id: a.adminId,
      p_reason: a.reason ?? null,
    }),
  );
}

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
