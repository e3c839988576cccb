/** What every page and route knows about the signed-in person, whatever the accounts backend. */
import { getEnv } from "@/lib/env";

export interface Session {
  userId: string;
  email: string;
  /** the owner has proved the address (auth.users.email_confirmed_at is set) */
  emailConfirmed: boolean;
  /** email is listed in ADMIN_EMAILS and confirmed */
  isAdmin: boolean;
}

/** The cookies of one request/response, as the auth backends need them. */
export interface CookieJar {
  get(name: string): string | undefined;
  getAll(): Array<{ name: string; value: string }>;
  set(name: string, value: string, options?: CookieOptions): void;
}

export interface CookieOptions {
  httpOnly?: boolean;
  sameSite?: "lax" | "strict" | "none" | boolean;
  secure?: boolean;
  path?: string;
  maxAge?: number;
  domain?: string;
  expires?: Date;
}

/** The result of signing up or in. session is null when Supabase Auth waits for an e-mail confirmation. */
export type AuthOutcome =
  | { ok: true; session: Session | null; message?: string }
  | { ok: false; status: 400 | 401 | 403 | 409 | 429 | 503; error: string };

/** The result of asking for a mailed link, or of using one. */
export type LinkOutcome = { ok: true; message: string } | LinkFailure;
export type LinkFailure = { ok: false; status: 400 | 410 | 429 | 503; error: string };

/** What a verification link would confirm, shown before anything happens (GET /verify-email). */
export type LinkInspection = { ok: true; email: string; userId: string; accountCreatedAt: Date } | LinkFailure;

/** "This wasn't me": the account was deleted, or closed because it holds payments. */
export type DisownOutcome = { ok: true; outcome: "deleted" | "closed"; message: string } | LinkFailure;

/** What a disabled account hears after the right password (local accounts, and Supabase's "user banned"). */
export const ACCOUNT_DISABLED = "This account is disabled. If you think this is a mistake, contact support.";

export function isAdminEmail(email: string): boolean {
  return getEnv().ADMIN_EMAILS.includes(email.trim().toLowerCase());
}

/** ADMIN_EMAILS makes an account admin only while its address is confirmed. */
export function sessionFor(userId: string, email: string, emailConfirmed: boolean): Session {
  return { userId, email, emailConfirmed, isAdmin: emailConfirmed && isAdminEmail(email) };
}
