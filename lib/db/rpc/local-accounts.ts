/**
 * Typed calls of supabase/schemas/020_local_accounts.sql: local accounts, their
 * mailed links and sessions, and the sign-in / sign-up rate limits.
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

const created = z.union([
  z.object({ created: z.literal(true), user_id: uuid, email: z.string() }),
  z.object({ created: z.literal(false) }),
]);
export type CreateAccountResult = z.infer<typeof created>;

export async function localCreateAccount(
  db: Database,
  email: string,
  passwordHash: string,
): Promise<CreateAccountResult> {
  return created.parse(await db.rpc("local_create_account", { p_email: email, p_password_hash: passwordHash }));
}

const account = z.object({
  user_id: uuid,
  email: z.string(),
  password_hash: z.string().nullable(),
  email_confirmed: z.boolean(),
  /** an admin disabled it (auth.users.banned_until lies ahead): it may not sign in */
  disabled: z.boolean(),
});
export type LocalAccount = z.infer<typeof account>;

export async function localFindAccount(db: Database, email: string): Promise<LocalAccount | null> {
  const row = await db.rpc("local_find_account", { p_email: email });
  return row === null ? null : account.parse(row);
}

export const loginStatus = z.object({
  allowed: z.boolean(),
  retry_after_seconds: int,
  /** sign-in only: how long to wait before checking the password (the account is under attack); never a refusal */
  delay_ms: int.default(0),
});
export type LoginStatus = z.infer<typeof loginStatus>;

/**
 * Window and thresholds of a rate limit. An "IP" is a network: an IPv6 address
 * counts as its /64, an IPv4-mapped one as its IPv4 (SQL). maxPerEmail counts
 * one e-mail from one network. SQL defaults: sign-in 15 min, 10 per (e-mail,
 * network), 50 per network (failures), and past 20 failures for one e-mail
 * from any networks a growing delay (1 s doubling every 10, at most 10 s);
 * sign-up and link requests 1 h, 5 per (e-mail, network), 20 per network.
 */
export interface LoginLimits {
  windowSeconds?: number;
  maxPerEmail?: number;
  maxPerIp?: number;
  slowdownAfter?: number;
  maxDelayMs?: number;
}

function limitArgs(limits: LoginLimits) {
  return {
    p_window_seconds: limits.windowSeconds,
    p_max_per_email: limits.maxPerEmail,
    p_max_per_ip: limits.maxPerIp,
    p_slowdown_after: limits.slowdownAfter,
    p_max_delay_ms: limits.maxDelayMs,
  };
}

/**
 * Counts one attempt of `action` per (e-mail, IP) and per IP (auth_rate_limit_take): "signup" (each
 * costs a scrypt hash) or "mail" (a request for a mailed link). Unset limits take the action's SQL defaults.
 */
export async function takeAuthAttempt(
  db: Database,
  action: "signup" | "mail",
  email: string,
  ip: string,
  limits: LoginLimits = {},
): Promise<LoginStatus> {
  return loginStatus.parse(
    await db.rpc("auth_rate_limit_take", {
      p_action: action,
      p_email: email,
      p_ip: ip,
      p_window_seconds: limits.windowSeconds,
      p_max_per_email_ip: limits.maxPerEmail,
      p_max_per_ip: limits.maxPerIp,
    }),
  );
}

/**
 * Reserves a sign-in attempt per (e-mail, network), per network and per e-mail before the password is
 * checked (atomic across instances); delay_ms says how long to wait first.
 */
export async function reserveLoginAttempt(
  db: Database,
  email: string,
  ip: string,
  limits: LoginLimits = {},
): Promise<LoginStatus> {
  return loginStatus.parse(await db.rpc("auth_login_attempt", { p_email: email, p_ip: ip, ...limitArgs(limits) }));
}

/** A correct password: clears the (e-mail, IP) counter and gives the IP its attempt back. */
export async function recordLoginSuccess(db: Database, email: string, ip: string): Promise<void> {
  await db.rpc("auth_login_succeeded", { p_email: email, p_ip: ip });
}

export interface Mail {
  subject: string;
  body: string;
}

/** A mailed link as the database keeps it: its id (the token is derived from it) and the token's hash. */
export interface StoredLink {
  tokenId: string;
  tokenHash: string;
}

/** The account (unconfirmed), its verification link (id and hash) and the mail (link rendered at send time), in one transaction. */
export async function localSignUp(db: Database, a: StoredLink & { email: string; passwordHash: string; mail: Mail }) {
  return created.parse(
    await db.rpc("local_sign_up", {
      p_email: a.email,
      p_password_hash: a.passwordHash,
      p_token_id: a.tokenId,
      p_token_hash: a.tokenHash,
      p_subject: a.mail.subject,
      p_body: a.mail.body,
    }),
  );
}

export type LinkPurpose = "verify_email" | "reset_password";

const issued = z.union([
  z.object({ issued: z.literal(true) }),
  z.object({ issued: z.literal(false), reason: z.enum(["no_account", "already_confirmed", "throttled"]) }),
]);

/** A new verification or reset link and its mail, in one transaction. */
export async function requestEmailLink(
  db: Database,
  a: StoredLink & { email: string; purpose: LinkPurpose; mail: Mail },
) {
  return issued.parse(
    await db.rpc("local_request_email_link", {
      p_email: a.email,
      p_purpose: a.purpose,
      p_token_id: a.tokenId,
      p_token_hash: a.tokenHash,
      p_subject: a.mail.subject,
      p_body: a.mail.body,
    }),
  );
}

/** Why a mailed link cannot be used: unknown, used (or replaced by a newer one), or expired. */
const linkFailure = z.object({ ok: z.literal(false), reason: z.enum(["invalid", "used", "expired"]) });

const used = z.union([z.object({ ok: z.literal(true), user_id: uuid, email: z.string() }), linkFailure]);
export type UsedLink = z.infer<typeof used>;

/** Uses a link once: confirms the e-mail, or (reset) sets the password and revokes every session. */
export async function consumeEmailLink(
  db: Database,
  purpose: LinkPurpose,
  tokenHash: string,
  passwordHash?: string,
): Promise<UsedLink> {
  return used.parse(
    await db.rpc("local_use_email_link", {
      p_purpose: purpose,
      p_token_hash: tokenHash,
      p_password_hash: passwordHash ?? null,
    }),
  );
}

const peeked = z.union([
  z.object({
    ok: z.literal(true),
    user_id: uuid,
    email: z.string(),
    account_created_at: timestamp,
    confirmed: z.boolean(),
  }),
  linkFailure,
]);
export type PeekedLink = z.infer<typeof peeked>;

/** What a live link would act on (the account and its address), without using it. */
export async function peekEmailLink(db: Database, purpose: LinkPurpose, tokenHash: string): Promise<PeekedLink> {
  return peeked.parse(await db.rpc("local_peek_email_link", { p_purpose: purpose, p_token_hash: tokenHash }));
}

const disowned = z.union([
  z.object({ ok: z.literal(true), outcome: z.enum(["deleted", "closed"]), email: z.string() }),
  z.object({ ok: z.literal(false), reason: z.enum(["invalid", "used", "expired", "confirmed"]) }),
]);
export type DisownedAccount = z.infer<typeof disowned>;

/** "This wasn't me" with a live verification link: the unconfirmed account is deleted, or closed when it holds payments. */
export async function disownAccountByLink(db: Database, tokenHash: string): Promise<DisownedAccount> {
  return disowned.parse(await db.rpc("local_disown_account", { p_token_hash: tokenHash }));
}

export async function startLocalSession(db: Database, userId: string): Promise<string> {
  return uuid.parse(await db.rpc("local_start_session", { p_user_id: userId }));
}

const sessionStatus = z.union([
  z.object({ valid: z.literal(true), email: z.string(), email_confirmed: z.boolean() }),
  z.object({ valid: z.literal(false) }),
]);
export type LocalSessionStatus = z.infer<typeof sessionStatus>;

/** One primary-key read: is the session live, and the account's current e-mail and confirmation. */
export async function localSessionStatus(
  db: Database,
  sessionId: string,
  userId: string,
  touch = false,
): Promise<LocalSessionStatus> {
  return sessionStatus.parse(
    await db.rpc("local_session_status", { p_session_id: sessionId, p_user_id: userId, p_touch: touch }),
  );
}

export async function endLocalSession(db: Database, sessionId: string): Promise<void> {
  await db.rpc("local_end_session", { p_session_id: sessionId });
}

/** Retention: rate-limit counters whose window started before olderThan, batch at a time. */
export async function purgeAuthRateLimits(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("purge_auth_rate_limits", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}
