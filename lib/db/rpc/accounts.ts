/**
 * Typed wrappers for local accounts (supabase/bootstrap/010_local_accounts.sql)
 * and the sign-in rate limit (supabase/migrations/*_auth_rate_limit.sql).
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, uuid } from "./scalars";

const created = z.union([
  z.object({ created: z.literal(true), user_id: uuid, email: z.string() }),
  z.object({ created: z.literal(false) }),
]);
export type CreateAccountResult = z.infer<typeof created>;

export async function localCreateAccount(db: Database, email: string, passwordHash: string): Promise<CreateAccountResult> {
  return created.parse(await db.rpc("local_create_account", { p_email: email, p_password_hash: passwordHash }));
}

const account = z.object({ user_id: uuid, email: z.string(), password_hash: z.string().nullable() });
export type LocalAccount = z.infer<typeof account>;

export async function localFindAccount(db: Database, email: string): Promise<LocalAccount | null> {
  const row = await db.rpc("local_find_account", { p_email: email });
  return row === null ? null : account.parse(row);
}

export const loginStatus = z.object({ allowed: z.boolean(), retry_after_seconds: int });
export type LoginStatus = z.infer<typeof loginStatus>;

/** Window and thresholds of the sign-in rate limit; the SQL defaults are 15 min, 10 per e-mail, 50 per IP. */
export interface LoginLimits {
  windowSeconds?: number;
  maxPerEmail?: number;
  maxPerIp?: number;
}

function limitArgs(limits: LoginLimits) {
  return { p_window_seconds: limits.windowSeconds, p_max_per_email: limits.maxPerEmail, p_max_per_ip: limits.maxPerIp };
}

/** Reserves a sign-in attempt before the password is checked (atomic across instances). */
export async function reserveLoginAttempt(db: Database, email: string, ip: string, limits: LoginLimits = {}): Promise<LoginStatus> {
  return loginStatus.parse(await db.rpc("auth_login_attempt", { p_email: email, p_ip: ip, ...limitArgs(limits) }));
}

/** A correct password: clears the e-mail's counter and gives the IP its attempt back. */
export async function recordLoginSuccess(db: Database, email: string, ip: string): Promise<void> {
  await db.rpc("auth_login_succeeded", { p_email: email, p_ip: ip });
}
