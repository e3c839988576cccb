/**
 * Supabase mode: the same auth API backed by Supabase Auth through @supabase/ssr.
 * Supabase keeps its session in its own cookies (refreshed by middleware);
 * getUser() asks the Auth server, so a forged cookie is never trusted.
 * Supabase Auth applies its own sign-in rate limits.
 */
import { createServerClient } from "@supabase/ssr";
import type { Database } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { resyncAdmins, syncAdminsOnce } from "./admin-sync";
import { tooManyAttempts, type Credentials } from "./credentials";
import { isAdminEmail, sessionFor, type AuthOutcome, type CookieJar, type Session } from "./session";

function supabaseFor(jar: CookieJar) {
  const env = getEnv();
  return createServerClient(env.NEXT_PUBLIC_SUPABASE_URL!, env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (cookies) => {
        for (const { name, value, options } of cookies) jar.set(name, value, options);
      },
    },
  });
}

function failure(error: { status?: number; message: string }): AuthOutcome {
  if (error.status === 429) return { ok: false, status: 429, error: tooManyAttempts(60) };
  if (error.status === 400 || error.status === 401 || error.status === 422) {
    const taken = /already registered|already exists/i.test(error.message);
    return taken
      ? { ok: false, status: 409, error: "An account with this e-mail already exists. Sign in instead." }
      : { ok: false, status: 401, error: "Wrong e-mail or password." };
  }
  return { ok: false, status: 503, error: "Sign-in is unavailable right now. Please try again." };
}

export async function supabaseGetSession(db: Database, jar: CookieJar): Promise<Session | null> {
  const { data, error } = await supabaseFor(jar).auth.getUser();
  if (error || !data.user?.email) return null;
  await syncAdminsOnce(db).catch(() => undefined);
  return sessionFor(data.user.id, data.user.email);
}

export async function supabaseSignUp(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const { data, error } = await supabaseFor(jar).auth.signUp({
    ...credentials,
    options: { emailRedirectTo: `${getEnv().APP_URL}/wallet` },
  });
  if (error) return failure(error);
  if (isAdminEmail(credentials.email)) await resyncAdmins(db);
  if (!data.session || !data.user?.email) {
    return { ok: true, session: null, message: "Check your inbox to confirm your e-mail address, then sign in." };
  }
  return { ok: true, session: sessionFor(data.user.id, data.user.email) };
}

export async function supabaseSignIn(db: Database, jar: CookieJar, credentials: Credentials): Promise<AuthOutcome> {
  const { data, error } = await supabaseFor(jar).auth.signInWithPassword(credentials);
  if (error || !data.user?.email) return failure(error ?? { status: 401, message: "no user" });
  await syncAdminsOnce(db).catch(() => undefined);
  return { ok: true, session: sessionFor(data.user.id, data.user.email) };
}

export async function supabaseSignOut(jar: CookieJar): Promise<void> {
  await supabaseFor(jar).auth.signOut();
}
