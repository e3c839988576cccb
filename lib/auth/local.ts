/**
 * Local accounts (embedded and postgres modes): scrypt password hashes in
 * auth.users, a signed HS256 session cookie naming a revocable auth_sessions
 * row, and mailed links (verification, password reset) through the outbox.
 * The rate limits in front of sign-in, sign-up and link requests are the
 * same in every mode: lib/auth/index.ts takes them before calling here.
 */
import type { Database } from "@/lib/db";
import {
  endLocalSession,
  localFindAccount,
  localSessionStatus,
  localSignUp as createLocalAccount,
  requestEmailLink,
  startLocalSession,
  consumeEmailLink,
  disownAccountByLink,
  peekEmailLink,
  type LinkPurpose,
  type UsedLink,
} from "@/lib/db/rpc/local-accounts";
import { signOutEverywhere } from "@/lib/db/rpc/account-access";
import { getEnv } from "@/lib/env";
import { mailQueued } from "@/lib/mail";
import { passwordResetMail, verificationMail } from "@/lib/mail/messages";
import { resyncAdmins, syncAdminsOnce } from "./admin-sync";
import { SESSION_COOKIE, sessionCookieOptions, signSessionToken, verifySessionToken } from "./claims";
import type { Credentials } from "./credentials";
import { hashLinkToken, looksLikeLinkToken, newLinkToken } from "./link-tokens";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";
import { appUrl } from "./redirects";
import {
  ACCOUNT_DISABLED,
  isAdminEmail,
  sessionFor,
  type AuthOutcome,
  type CookieJar,
  type DisownOutcome,
  type LinkInspection,
  type LinkOutcome,
  type Session,
} from "./session";

const WRONG_CREDENTIALS = "Wrong e-mail or password.";

async function startSession(
  db: Database,
  jar: CookieJar,
  userId: string,
  email: string,
  confirmed: boolean,
): Promise<Session> {
  const env = getEnv();
  const sessionId = await startLocalSession(db, userId);
  const token = await signSessionToken(env.AUTH_SECRET, { userId, email, sessionId });
  jar.set(SESSION_COOKIE, token, sessionCookieOptions(env.isProduction));
  return sessionFor(userId, email, confirmed);
}

export async function localGetSession(db: Database, jar: CookieJar): Promise<Session | null> {
  const claims = await verifySessionToken(getEnv().AUTH_SECRET, jar.get(SESSION_COOKIE));
  if (!claims) return null;
  const status = await localSessionStatus(db, claims.sessionId, claims.userId);
  if (!status.valid) return null;
  const session = sessionFor(claims.userId, status.email, status.email_confirmed);
  if (session.isAdmin) await syncAdminsOnce(db).catch(() => undefined); // best effort: RLS reads of admin pages
  return session;
}

/**
 * Creates the account (unconfirmed), mails its verification link and signs it
 * in. The address owns nothing yet: pending grants and ADMIN_EMAILS wait for
 * the link (the auth.users trigger claims when email_confirmed_at is set).
 */
export async function localSignUp(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const hash = await hashPassword(credentials.password);
  const link = newLinkToken();
  const result = await createLocalAccount(db, {
    email: credentials.email,
    passwordHash: hash,
    tokenId: link.id,
    tokenHash: link.hash,
    mail: verificationMail(),
  });
  if (!result.created) {
    return { ok: false, status: 409, error: "An account with this e-mail already exists. Sign in instead." };
  }
  mailQueued("verify_email", appUrl(`/verify-email?token=${link.token}`));
  return { ok: true, session: await startSession(db, jar, result.user_id, result.email, false) };
}

export async function localSignIn(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const account = await localFindAccount(db, credentials.email);
  // Hash even when there is no account, so response time does not reveal which e-mails exist.
  const valid = await verifyPassword(credentials.password, account?.password_hash ?? (await dummyPasswordHash()));
  if (!account || !valid) return { ok: false, status: 401, error: WRONG_CREDENTIALS };
  // said only after the right password, so it reveals nothing to a guesser
  if (account.disabled) return { ok: false, status: 403, error: ACCOUNT_DISABLED };
  if (account.email_confirmed && isAdminEmail(account.email)) await syncAdminsOnce(db).catch(() => undefined);
  return { ok: true, session: await startSession(db, jar, account.user_id, account.email, account.email_confirmed) };
}

const clearCookie = (jar: CookieJar) =>
  jar.set(SESSION_COOKIE, "", { ...sessionCookieOptions(getEnv().isProduction), maxAge: 0 });

/** Ends the session on the server (its row is revoked, so a copy of the cookie stops working) and clears the cookie. */
export async function localSignOut(db: Database, jar: CookieJar): Promise<void> {
  const claims = await verifySessionToken(getEnv().AUTH_SECRET, jar.get(SESSION_COOKIE));
  if (claims) await endLocalSession(db, claims.sessionId);
  clearCookie(jar);
}

/** Every session of the signed-in account ends and every API key is revoked; false when not signed in. */
export async function localSignOutEverywhere(db: Database, jar: CookieJar): Promise<boolean> {
  const session = await localGetSession(db, jar);
  if (!session) return false;
  await signOutEverywhere(db, session.userId);
  clearCookie(jar);
  return true;
}

const LINK_SENT = {
  verify_email: "We sent a new confirmation link. Check your inbox (and the spam folder).",
  reset_password: "If an account uses this e-mail, we sent it a link to choose a new password. Check your inbox.",
} as const;

/**
 * Mails a new verification link, or a password-reset link. The answer is the
 * same whether or not an account exists, so it does not reveal who has one.
 */
export async function localRequestLink(db: Database, email: string, purpose: LinkPurpose): Promise<LinkOutcome> {
  const link = newLinkToken();
  const url = appUrl(`/${purpose === "verify_email" ? "verify-email" : "reset-password"}?token=${link.token}`);
  const mail = purpose === "verify_email" ? verificationMail() : passwordResetMail();
  const result = await requestEmailLink(db, { email, purpose, tokenId: link.id, tokenHash: link.hash, mail });
  if (result.issued) mailQueued(purpose, url);
  else if (result.reason === "already_confirmed")
    return { ok: true, message: "This e-mail address is already confirmed." };
  else if (result.reason === "throttled" && purpose === "verify_email") {
    return {
      ok: false,
      status: 429,
      error: "We sent several links in the last hour. Please use the newest one, or try again later.",
    };
  }
  return { ok: true, message: LINK_SENT[purpose] };
}

const LINK_FAILURES: Record<Exclude<UsedLink, { ok: true }>["reason"], string> = {
  invalid: "This link is not valid. Use the newest link we sent, or ask for a new one.",
  used: "This link has been used already. Each link works once: ask for a new one if you need it.",
  expired: "This link has expired. Ask for a new one.",
};

const failed = (reason: keyof typeof LINK_FAILURES) =>
  ({ ok: false, status: reason === "invalid" ? 400 : 410, error: LINK_FAILURES[reason] }) as const;

/** What a verification link would confirm (the address and the account), without using it: what GET /verify-email shows. */
export async function localInspectVerificationLink(db: Database, token: unknown): Promise<LinkInspection> {
  if (!looksLikeLinkToken(token)) return failed("invalid");
  const peeked = await peekEmailLink(db, "verify_email", hashLinkToken(token));
  if (!peeked.ok) return failed(peeked.reason);
  return { ok: true, email: peeked.email, userId: peeked.user_id, accountCreatedAt: peeked.account_created_at };
}

/**
 * "This wasn't me" on a verification link: the unconfirmed account is deleted
 * with its sessions and keys, or, when it holds payments, closed (disabled,
 * revoked, address released) so that no payment record is lost.
 */
export async function localDisownAccount(db: Database, token: unknown): Promise<DisownOutcome> {
  if (!looksLikeLinkToken(token)) return failed("invalid");
  const result = await disownAccountByLink(db, hashLinkToken(token));
  if (!result.ok) {
    return result.reason === "confirmed"
      ? { ok: false, status: 410, error: "This address was confirmed in the meantime, so this link no longer works." }
      : failed(result.reason);
  }
  return {
    ok: true,
    outcome: result.outcome,
    message:
      result.outcome === "deleted"
        ? `The account made with ${result.email} is deleted, with its sessions and keys. The address stays yours.`
        : `The account made with ${result.email} is closed: it held payments, so our support keeps its records, but nobody can sign in to it and the address is free again.`,
  };
}

/** Opens a verification link: the address becomes confirmed (pending credits and admin rights follow). */
export async function localVerifyEmail(db: Database, token: unknown): Promise<LinkOutcome> {
  if (!looksLikeLinkToken(token)) return failed("invalid");
  const used = await consumeEmailLink(db, "verify_email", hashLinkToken(token));
  if (!used.ok) return failed(used.reason);
  if (isAdminEmail(used.email)) await resyncAdmins(db).catch(() => undefined);
  return { ok: true, message: "Your e-mail address is confirmed." };
}

/** Uses a reset link: a new password, the address confirmed, and every session of the account ended. */
export async function localResetPassword(db: Database, token: unknown, password: string): Promise<LinkOutcome> {
  if (!looksLikeLinkToken(token)) return failed("invalid");
  const used = await consumeEmailLink(db, "reset_password", hashLinkToken(token), await hashPassword(password));
  if (!used.ok) return failed(used.reason);
  if (isAdminEmail(used.email)) await resyncAdmins(db).catch(() => undefined);
  return {
    ok: true,
    message:
      "Your password is changed and every browser signed in to your account is signed out. Sign in with the new password.",
  };
}
