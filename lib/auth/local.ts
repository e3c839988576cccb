/**
 * Local accounts (embedded and postgres modes): scrypt password hashes in
 * auth.users via local_create_account, and a signed HS256 session cookie.
 * Sign-in failures are rate limited in the database (per e-mail and per IP),
 * so the limit holds across app instances.
 */
import type { Database } from "@/lib/db";
import {
  localCreateAccount,
  localFindAccount,
  recordLoginSuccess,
  reserveLoginAttempt,
  type LoginLimits,
} from "@/lib/db/rpc/accounts";
import { getEnv } from "@/lib/env";
import { resyncAdmins, syncAdminsOnce } from "./admin-sync";
import { SESSION_COOKIE, sessionCookieOptions, signSessionToken, verifySessionToken } from "./claims";
import { tooManyAttempts, type Credentials } from "./credentials";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";
import { isAdminEmail, sessionFor, type AuthOutcome, type CookieJar, type Session } from "./session";

const WRONG_CREDENTIALS = "Wrong e-mail or password.";

async function startSession(jar: CookieJar, userId: string, email: string): Promise<Session> {
  const env = getEnv();
  const token = await signSessionToken(env.AUTH_SECRET, { userId, email });
  jar.set(SESSION_COOKIE, token, sessionCookieOptions(env.isProduction));
  return sessionFor(userId, email);
}

export async function localGetSession(db: Database, jar: CookieJar): Promise<Session | null> {
  const claims = await verifySessionToken(getEnv().AUTH_SECRET, jar.get(SESSION_COOKIE));
  if (!claims) return null;
  await syncAdminsOnce(db).catch(() => undefined); // best effort: the page itself does not depend on it
  return sessionFor(claims.userId, claims.email);
}

/** Creates the account and signs it in; the auth.users trigger has already claimed pending grants. */
export async function localSignUp(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const hash = await hashPassword(credentials.password);
  const result = await localCreateAccount(db, credentials.email, hash);
  if (!result.created) {
    return { ok: false, status: 409, error: "An account with this e-mail already exists. Sign in instead." };
  }
  if (isAdminEmail(result.email)) await resyncAdmins(db);
  return { ok: true, session: await startSession(jar, result.user_id, result.email) };
}

export async function localSignIn(
  db: Database,
  jar: CookieJar,
  credentials: Credentials,
  ip: string,
  limits: LoginLimits = {},
): Promise<AuthOutcome> {
  // Reserved before the password is checked, so a concurrent burst cannot outrun the counter.
  const reservation = await reserveLoginAttempt(db, credentials.email, ip, limits);
  if (!reservation.allowed) return { ok: false, status: 429, error: tooManyAttempts(reservation.retry_after_seconds) };

  const account = await localFindAccount(db, credentials.email);
  // Hash even when there is no account, so response time does not reveal which e-mails exist.
  const valid = await verifyPassword(credentials.password, account?.password_hash ?? (await dummyPasswordHash()));
  if (!account || !valid) return { ok: false, status: 401, error: WRONG_CREDENTIALS };
  await recordLoginSuccess(db, credentials.email, ip);
  await syncAdminsOnce(db).catch(() => undefined);
  return { ok: true, session: await startSession(jar, account.user_id, account.email) };
}

export function localSignOut(jar: CookieJar): void {
  jar.set(SESSION_COOKIE, "", { ...sessionCookieOptions(getEnv().isProduction), maxAge: 0 });
}
