/**
 * Supabase mode: the same auth API backed by Supabase Auth through @supabase/ssr.
 * Supabase keeps its session in its own cookies (refreshed by middleware);
 * getUser() asks the Auth server, so a forged cookie is never trusted.
 * Our per-IP and per-(e-mail, IP) limits run before any call here
 * (lib/auth/index.ts): Supabase Auth's own limits see only our server's
 * address. Supabase sends its own confirmation and recovery mails, and sets auth.users.email_confirmed_at when the user
 * confirms: the same SQL triggers then claim pending grants.
 */
import { createServerClient } from "@supabase/ssr";
import type { Database } from "@/lib/db";
import { signOutEverywhere } from "@/lib/db/rpc/account-access";
import { createSupabaseAdminClient } from "@/lib/db/supabase";
import { getSupabaseEnv } from "@/lib/env";
import { syncAdminsOnce } from "./admin-sync";
import { tooManyAttempts, type Credentials } from "./credentials";
import { appUrl } from "./redirects";
import {
  ACCOUNT_DISABLED,
  sessionFor,
  type AuthOutcome,
  type CookieJar,
  type LinkOutcome,
  type Session,
} from "./session";

function supabaseFor(jar: CookieJar) {
  const env = getSupabaseEnv();
  return createServerClient(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_ANON_KEY, {
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (cookies) => {
        for (const { name, value, options } of cookies) jar.set(name, value, options);
      },
    },
  });
}

function failure(error: { status?: number; code?: string; message: string }): AuthOutcome {
  if (error.status === 429) return { ok: false, status: 429, error: tooManyAttempts(60) };
  // Supabase Auth says so only after the right password, as local sign-in does
  if (error.code === "user_banned" || /user is banned/i.test(error.message)) {
    return { ok: false, status: 403, error: ACCOUNT_DISABLED };
  }
  if (error.status === 400 || error.status === 401 || error.status === 422) {
    const taken = /already registered|already exists/i.test(error.message);
    return taken
      ? { ok: false, status: 409, error: "An account with this e-mail already exists. Sign in instead." }
      : { ok: false, status: 401, error: "Wrong e-mail or password." };
  }
  return { ok: false, status: 503, error: "Sign-in is unavailable right now. Please try again." };
}

interface SupabaseUser {
  id: string;
  email?: string;
  email_confirmed_at?: string | null;
}

async function sessionOf(db: Database, user: SupabaseUser & { email: string }): Promise<Session> {
  const session = sessionFor(user.id, user.email, Boolean(user.email_confirmed_at));
  if (session.isAdmin) await syncAdminsOnce(db).catch(() => undefined);
  return session;
}

export async function supabaseGetSession(db: Database, jar: CookieJar): Promise<Session | null> {
  const { data, error } = await supabaseFor(jar).auth.getUser();
  if (error || !data.user?.email) return null;
  return sessionOf(db, { ...data.user, email: data.user.email });
}

export async function supabaseSignUp(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const { data, error } = await supabaseFor(jar).auth.signUp({
    ...credentials,
    options: { emailRedirectTo: appUrl("/wallet") },
  });
  if (error) return failure(error);
  if (!data.session || !data.user?.email) {
    return { ok: true, session: null, message: "Check your inbox to confirm your e-mail address, then sign in." };
  }
  return { ok: true, session: await sessionOf(db, { ...data.user, email: data.user.email }) };
}

export async function supabaseSignIn(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const { data, error } = await supabaseFor(jar).auth.signInWithPassword(credentials);
  if (error || !data.user?.email) return failure(error ?? { status: 401, message: "no user" });
  return { ok: true, session: await sessionOf(db, { ...data.user, email: data.user.email }) };
}

/** Revokes the refresh token on the Auth server too, not just the cookies. */
export async function supabaseSignOut(jar: CookieJar): Promise<void> {
  await supabaseFor(jar).auth.signOut({ scope: "local" });
}

/**
 * Sign out everywhere: our SQL revokes every API key and deletes the account's
 * Supabase Auth sessions (auth.sessions) in one transaction; then Supabase
 * Auth's own global sign-out runs too and this browser's cookies are cleared.
 * False when not signed in.
 */
export async function supabaseSignOutEverywhere(db: Database, jar: CookieJar): Promise<boolean> {
  const auth = supabaseFor(jar).auth;
  const { data, error } = await auth.getUser();
  if (error || !data.user) return false;
  await signOutEverywhere(db, data.user.id);
  await auth.signOut({ scope: "global" }); // a session already deleted answers 403/404: the cookies are cleared anyway
  return true;
}

/**
 * An admin's ban through Supabase Auth's admin API (besides banned_until set by
 * our SQL, which Supabase Auth reads): "876000h" is the century our SQL uses;
 * "none" lifts it.
 */
export async function supabaseSetBanned(userId: string, banned: boolean): Promise<void> {
  const env = getSupabaseEnv();
  const admin = createSupabaseAdminClient({
    url: env.NEXT_PUBLIC_SUPABASE_URL,
    serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
  }).auth.admin;
  const { error } = await admin.updateUserById(userId, { ban_duration: banned ? "876000h" : "none" });
  if (error) throw new Error(`Supabase Auth refused the ban change: ${error.status ?? ""} ${error.code ?? ""}`.trim());
}

/** Supabase mails the link itself (its own SMTP settings). */
export async function supabaseRequestLink(
  jar: CookieJar,
  email: string,
  purpose: "verify_email" | "reset_password",
): Promise<LinkOutcome> {
  const auth = supabaseFor(jar).auth;
  const { error } =
    purpose === "verify_email"
      ? await auth.resend({ type: "signup", email, options: { emailRedirectTo: appUrl("/wallet") } })
      : await auth.resetPasswordForEmail(email, { redirectTo: appUrl("/reset-password") });
  if (error?.status === 429) return { ok: false, status: 429, error: tooManyAttempts(60) };
  return {
    ok: true,
    message:
      purpose === "verify_email"
        ? "We sent a new confirmation link. Check your inbox (and the spam folder)."
        : "If an account uses this e-mail, we sent it a link to choose a new password. Check your inbox.",
  };
}

/** Supabase's recovery link comes back with ?code=…: exchange it, set the password, end every other session. */
export async function supabaseResetPassword(jar: CookieJar, code: unknown, password: string): Promise<LinkOutcome> {
  if (typeof code !== "string" || code.length === 0 || code.length > 500) {
    return { ok: false, status: 400, error: "This link is not valid. Ask for a new one." };
  }
  const auth = supabaseFor(jar).auth;
  const exchanged = await auth.exchangeCodeForSession(code);
  if (exchanged.error)
    return { ok: false, status: 410, error: "This link has expired or has been used. Ask for a new one." };
  const updated = await auth.updateUser({ password });
  if (updated.error) return { ok: false, status: 503, error: "The password could not be changed. Please try again." };
  await auth.signOut({ scope: "global" });
  return {
    ok: true,
    message:
      "Your password is changed and every browser signed in to your account is signed out. Sign in with the new password.",
  };
}
