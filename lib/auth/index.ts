/**
 * The one auth API for pages, routes and actions, whatever the mode:
 * local accounts (embedded / postgres) or Supabase Auth (supabase).
 * Identity always comes from the session cookie, never from request data.
 */
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import type { LoginLimits } from "@/lib/db/rpc/accounts";
import { getEnv } from "@/lib/env";
import { nextCookieJar, requestCookieJar } from "./cookie-jars";
import { parseCredentials } from "./credentials";
import { localGetSession, localSignIn, localSignOut, localSignUp } from "./local";
import type { AuthOutcome, CookieJar, Session } from "./session";
import { supabaseGetSession, supabaseSignIn, supabaseSignOut, supabaseSignUp } from "./supabase";

export type { AuthOutcome, CookieJar, Session } from "./session";
export { requestCookieJar } from "./cookie-jars";

const useSupabase = () => getEnv().mode === "supabase";

export async function getSessionFrom(jar: CookieJar): Promise<Session | null> {
  return useSupabase() ? supabaseGetSession(getDb(), jar) : localGetSession(getDb(), jar);
}

/** The signed-in person of the current page/action request, or null. */
export async function getSession(): Promise<Session | null> {
  return getSessionFrom(await nextCookieJar());
}

/** The signed-in person of a route handler's Request, or null. */
export async function getSessionFromRequest(request: Request): Promise<Session | null> {
  return getSessionFrom(requestCookieJar(request));
}

/** Only a path on this site may be a post-sign-in destination (no open redirects). */
export function safeNextPath(next: unknown, fallback = "/wallet"): string {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
    ? next
    : fallback;
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

export async function signUp(input: SignInput, jar?: CookieJar): Promise<AuthOutcome> {
  const credentials = parseCredentials(input);
  if (!credentials.ok) return { ok: false, status: 400, error: credentials.error };
  const cookies = jar ?? (await nextCookieJar());
  return useSupabase()
    ? supabaseSignUp(getDb(), cookies, credentials.value)
    : localSignUp(getDb(), cookies, credentials.value);
}

export async function signIn(
  input: SignInput,
  context: { ip: string; jar?: CookieJar; limits?: LoginLimits },
): Promise<AuthOutcome> {
  const credentials = parseCredentials(input);
  if (!credentials.ok) return { ok: false, status: 400, error: credentials.error };
  const cookies = context.jar ?? (await nextCookieJar());
  return useSupabase()
    ? supabaseSignIn(getDb(), cookies, credentials.value)
    : localSignIn(getDb(), cookies, credentials.value, context.ip, context.limits);
}

export async function signOut(jar?: CookieJar): Promise<void> {
  const cookies = jar ?? (await nextCookieJar());
  if (useSupabase()) await supabaseSignOut(cookies);
  else localSignOut(cookies);
}
