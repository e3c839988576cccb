/**
 * The one auth API for pages, routes and actions, whatever the mode:
 * local accounts (embedded / postgres) or Supabase Auth (supabase).
 * Identity always comes from the session cookie, never from request data.
 */
import { setTimeout } from "node:timers/promises";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { setAccountDisabled as setAccountDisabledInDb, type DisabledResult } from "@/lib/db/rpc/account-access";
import {
  recordLoginSuccess,
  reserveLoginAttempt,
  takeAuthAttempt,
  type LoginLimits,
} from "@/lib/db/rpc/local-accounts";
import { getEnv } from "@/lib/env";
import { nextCookieJar, requestCookieJar } from "./cookie-jars";
import { credentialsSchema, parseCredentials, tooManyAttempts } from "./credentials";
import {
  localDisownAccount,
  localGetSession,
  localInspectVerificationLink,
  localRequestLink,
  localResetPassword,
  localSignIn,
  localSignOut,
  localSignOutEverywhere,
  localSignUp,
  localVerifyEmail,
} from "./local";
import { safeNextPath } from "./redirects";
import type { AuthOutcome, CookieJar, DisownOutcome, LinkInspection, LinkOutcome, Session } from "./session";
import {
  supabaseGetSession,
  supabaseRequestLink,
  supabaseResetPassword,
  supabaseSignIn,
  supabaseSetBanned,
  supabaseSignOut,
  supabaseSignOutEverywhere,
  supabaseSignUp,
} from "./supabase";

export type { AuthOutcome, CookieJar, DisownOutcome, LinkInspection, LinkOutcome, Session } from "./session";
export { requestCookieJar } from "./cookie-jars";
export { appUrl, safeNextPath } from "./redirects";

const supabaseMode = () => getEnv().mode === "supabase";

export async function getSessionFrom(jar: CookieJar): Promise<Session | null> {
  return supabaseMode() ? supabaseGetSession(getDb(), jar) : localGetSession(getDb(), jar);
}

/** The signed-in person of the current page/action request, or null. */
export async function getSession(): Promise<Session | null> {
  return getSessionFrom(await nextCookieJar());
}

/** The signed-in person of a route handler's Request, or null. */
export async function getSessionFromRequest(request: Request): Promise<Session | null> {
  return getSessionFrom(requestCookieJar(request));
}

export function loginUrl(next: string): string {
  return `/login?next=${encodeURIComponent(safeNextPath(next))}`;
}

/** The session, or a redirect to /login that comes back to `next`. */
export async function requireUser(next = "/wallet"): Promise<Session> {
  const session = await getSession();
  if (!session) redirect(loginUrl(next));
  return session;
}

/** An admin's session; signed-out visitors go to /login, everyone else gets a 404 (admin pages do not exist for them). */
export async function requireAdmin(next = "/admin/events"): Promise<Session> {
  const session = await requireUser(next);
  if (!session.isAdmin) notFound();
  return session;
}

export interface SignInput {
  email?: unknown;
  password?: unknown;
}

/** Where a request came from, for the per-IP limits (lib/auth/client-ip.ts). */
export interface AuthContext {
  ip: string;
  jar?: CookieJar;
  limits?: LoginLimits;
}

/** A limited attempt: 429 with the wait, before anything else runs. */
const limited = (retryAfterSeconds: number) =>
  ({ ok: false, status: 429, error: tooManyAttempts(retryAfterSeconds) }) as const;

/*
 * The rate limits (SPEC §7) sit here, in front of both modes, so that in
 * Supabase mode a limited attempt never reaches Supabase Auth: its own limits
 * see every request coming from our server's address and cannot tell a
 * guessing tool from the owner. The counters are SQL (lib/db/rpc/local-accounts.ts),
 * per IP and per (e-mail, IP), shared by every app instance.
 */

/** context: where the request came from; a bare CookieJar (older callers) counts as the address "unknown". */
export async function signUp(input: SignInput, contextOrJar: AuthContext | CookieJar): Promise<AuthOutcome> {
  const context: AuthContext = "ip" in contextOrJar ? contextOrJar : { ip: "unknown", jar: contextOrJar };
  const credentials = parseCredentials(input);
  if (!credentials.ok) return { ok: false, status: 400, error: credentials.error };
  // each sign-up costs a password hash (ours or Supabase's) and may send a mail
  const limit = await takeAuthAttempt(getDb(), "signup", credentials.value.email, context.ip, context.limits);
  if (!limit.allowed) return limited(limit.retry_after_seconds);
  const cookies = context.jar ?? (await nextCookieJar());
  return supabaseMode()
    ? supabaseSignUp(getDb(), cookies, credentials.value)
    : localSignUp(getDb(), cookies, credentials.value);
}

/**
 * The attempt is reserved before the password is checked, so a simultaneous
 * burst from one address cannot outrun its counter, and a right password gives
 * it back: only failures count, per network (an IPv6 /64) and per (e-mail,
 * network). Failures for one account from many networks slow its attempts
 * down (a delay before the password check) but never refuse them.
 */
export async function signIn(input: SignInput, context: AuthContext): Promise<AuthOutcome> {
  const credentials = parseCredentials(input);
  if (!credentials.ok) return { ok: false, status: 400, error: credentials.error };
  const { email } = credentials.value;
  const reservation = await reserveLoginAttempt(getDb(), email, context.ip, context.limits);
  if (!reservation.allowed) return limited(reservation.retry_after_seconds);
  // the per-account slow-down: many failures from many networks; the owner waits too, but gets in
  if (reservation.delay_ms > 0) await setTimeout(reservation.delay_ms);
  const cookies = context.jar ?? (await nextCookieJar());
  const outcome = supabaseMode()
    ? await supabaseSignIn(getDb(), cookies, credentials.value)
    : await localSignIn(getDb(), cookies, credentials.value);
  if (outcome.ok) await recordLoginSuccess(getDb(), email, context.ip);
  return outcome;
}

/** Signs out this browser, ending the session on the server too. */
export async function signOut(jar?: CookieJar): Promise<void> {
  const cookies = jar ?? (await nextCookieJar());
  if (supabaseMode()) await supabaseSignOut(cookies);
  else await localSignOut(getDb(), cookies);
}

/**
 * "Sign out everywhere": every session of the signed-in account ends (this
 * browser's too) and every API key is revoked, in one transaction (SQL
 * sign_out_everywhere). False when nobody is signed in.
 */
export async function signOutEverywhere(jar?: CookieJar): Promise<boolean> {
  const cookies = jar ?? (await nextCookieJar());
  return supabaseMode() ? supabaseSignOutEverywhere(getDb(), cookies) : localSignOutEverywhere(getDb(), cookies);
}

/**
 * An admin disables an account (every key and session revoked, sign-in
 * refused) or enables it again. The database checks that `adminId` is an
 * admin and sets auth.users.banned_until; in Supabase mode the ban also goes
 * through Supabase Auth's admin API (a failure there is logged: the column is
 * what Supabase Auth reads).
 */
export async function setAccountDisabled(
  userId: string,
  disabled: boolean,
  adminId: string,
  reason?: string | null,
): Promise<DisabledResult> {
  const result = await setAccountDisabledInDb(getDb(), { userId, disabled, adminId, reason });
  if (supabaseMode()) {
    // The SQL has already set banned_until, which Supabase Auth reads; its admin API is told as well.
    await supabaseSetBanned(userId, disabled).catch((error: unknown) =>
      console.warn(`[auth] Supabase Auth admin API: ${(error as Error).message}; banned_until is set in SQL`),
    );
  }
  return result;
}

const emailOnly = credentialsSchema.pick({ email: true });

/** Mails a new verification link (signed-in, unconfirmed) or a password-reset link (anyone). */
export async function requestEmailLink(
  email: unknown,
  purpose: "verify_email" | "reset_password",
  context: AuthContext,
): Promise<LinkOutcome> {
  const parsed = emailOnly.safeParse({ email });
  if (!parsed.success) return { ok: false, status: 400, error: parsed.error.issues[0].message };
  const limit = await takeAuthAttempt(getDb(), "mail", parsed.data.email, context.ip, context.limits);
  if (!limit.allowed) return limited(limit.retry_after_seconds);
  return supabaseMode()
    ? supabaseRequestLink(context.jar ?? (await nextCookieJar()), parsed.data.email, purpose)
    : localRequestLink(getDb(), parsed.data.email, purpose);
}

const HANDLED_BY_SUPABASE = {
  ok: false,
  status: 400,
  error: "Confirmation links are handled by Supabase Auth.",
} as const;

/** What a verification link would confirm, without using it: GET /verify-email shows this and asks for a click. */
export async function inspectVerificationLink(token: unknown): Promise<LinkInspection> {
  return supabaseMode() ? HANDLED_BY_SUPABASE : localInspectVerificationLink(getDb(), token);
}

/** The click on a verification link: confirms the address (local accounts; Supabase confirms on its own server). */
export async function verifyEmail(token: unknown): Promise<LinkOutcome> {
  return supabaseMode() ? HANDLED_BY_SUPABASE : localVerifyEmail(getDb(), token);
}

/** "This wasn't me" on a verification link: the unconfirmed account is deleted (or closed when it holds payments). */
export async function disownAccount(token: unknown): Promise<DisownOutcome> {
  return supabaseMode() ? HANDLED_BY_SUPABASE : localDisownAccount(getDb(), token);
}

const newPassword = credentialsSchema.shape.password;

/** Uses a password-reset link: sets the new password and ends every session of the account. */
export async function resetPassword(token: unknown, password: unknown, context: AuthContext): Promise<LinkOutcome> {
  const parsed = newPassword.safeParse(password);
  if (!parsed.success) return { ok: false, status: 400, error: parsed.error.issues[0].message };
  // each try costs a password hash: counted like sign-ups, per IP
  const limit = await takeAuthAttempt(getDb(), "signup", "password-reset", context.ip, context.limits);
  if (!limit.allowed) return limited(limit.retry_after_seconds);
  return supabaseMode()
    ? supabaseResetPassword(context.jar ?? (await nextCookieJar()), token, parsed.data)
    : localResetPassword(getDb(), token, parsed.data);
}
