/**
 * Typed wrappers for what ends an account's access (supabase/migrations/*_account_credentials.sql):
 * "sign out everywhere" and an admin disabling the account. Both revoke every API key and every
 * session of the account in the same transaction.
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, uuid } from "../scalars";

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
