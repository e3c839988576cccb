/**
 * What middleware does on every request: keep the session fresh (re-issue the
 * local JWT in the second half of its life; let @supabase/ssr refresh its
 * tokens) and send signed-out visitors from private pages to /login.
 * Non-admins get the 404 page from app/admin/layout.tsx (requireAdmin), not
 * from a rewrite here: Next proxies a middleware rewrite over HTTP when its
 * origin differs from the server's own (as it does under `next start -H
 * <address>`), which answered 500 wherever "localhost" is not that address.
 * A local session counts only while its auth_sessions row is live: one
 * primary-key read per request (webhook and machine routes skip middleware),
 * so sign-out and a password reset end it everywhere at once.
 * Pages and routes check again on the server (requireUser / requireAdmin).
 */
import { createServerClient } from "@supabase/ssr";
import { isAuthRetryableFetchError } from "@supabase/supabase-js";
import { NextResponse, type NextRequest } from "next/server";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { localSessionStatus } from "@/lib/db/rpc/local-accounts";
import { getEnv, getSupabaseEnv } from "@/lib/env";
import { unavailablePage } from "@/lib/http/unavailable-page";
import { needsRefresh, SESSION_COOKIE, sessionCookieOptions, signSessionToken, verifySessionToken } from "./claims";
import { appUrl } from "./redirects";

const SIGNED_IN_ONLY = [/^\/wallet(\/|$)/, /^\/purchases(\/|$)/, /^\/settings(\/|$)/, /^\/admin(\/|$)/];

interface Refreshed {
  email: string | null;
  /** a signed-in cookie whose session could not be checked: the database (or Supabase Auth) did not answer */
  unavailable?: boolean;
  /** applies the refreshed cookies to whatever response middleware returns */
  apply(response: NextResponse): NextResponse;
}

async function refreshLocal(request: NextRequest): Promise<Refreshed> {
  const env = getEnv();
  const token = request.cookies.get(SESSION_COOKIE)?.value;
  const claims = await verifySessionToken(env.AUTH_SECRET, token);
  const refresh = claims !== null && needsRefresh(claims);
  let status: Awaited<ReturnType<typeof localSessionStatus>> | null = null;
  try {
    status = claims ? await localSessionStatus(getDb(), claims.sessionId, claims.userId, refresh) : null;
  } catch (error) {
    // Database unreachable. Without a (validly signed) cookie the visitor is simply signed out; with
    // one, the session cannot be checked: not signed out (the cookie is kept for when it is back),
    // not signed in either (no page is served as if it were).
    const unavailable = claims !== null && error instanceof DatabaseUnavailableError;
    return { email: null, unavailable, apply: (response) => response };
  }
  if (!claims || !status?.valid) {
    // A tampered, expired or revoked cookie is dropped so the browser stops sending it.
    const drop = (response: NextResponse) => (token ? (response.cookies.delete(SESSION_COOKIE), response) : response);
    return { email: null, apply: drop };
  }
  if (!refresh) return { email: status.email, apply: (response) => response };
  const fresh = await signSessionToken(env.AUTH_SECRET, { ...claims, email: status.email });
  return {
    email: status.email,
    apply: (response) => {
      response.cookies.set(SESSION_COOKIE, fresh, sessionCookieOptions(env.isProduction));
      return response;
    },
  };
}

async function refreshSupabase(request: NextRequest): Promise<Refreshed> {
  const env = getSupabaseEnv();
  const written: Array<{ name: string; value: string; options: object }> = [];
  const supabase = createServerClient(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_ANON_KEY, {
    cookies: {
      getAll: () => request.cookies.getAll(),
      setAll: (cookies) => {
        for (const { name, value, options } of cookies) {
          request.cookies.set(name, value); // later server code in this request sees the fresh tokens
          written.push({ name, value, options });
        }
      },
    },
  });
  const { data, error } = await supabase.auth.getUser();
  const email = data.user?.email ?? null;
  return {
    email,
    // Supabase Auth unreachable (network, 502–504): the session could not be checked, which is not
    // signing out; auth-js keeps the session cookies for such errors.
    unavailable: email === null && isAuthRetryableFetchError(error),
    apply: (response) => {
      for (const { name, value, options } of written) response.cookies.set(name, value, options);
      return response;
    },
  };
}

/**
 * A signed-in person whose session cannot be checked (the database, or
 * Supabase Auth, did not answer) is not signed out: no redirect to /login,
 * whose page cannot check the session either. A page load gets the
 * "temporarily unavailable" page as a 503; anything else (a form post, an API
 * route) goes on to its handler, which checks the session itself and answers
 * its own error.
 */
function whileUnavailable(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const pageLoad = (request.method === "GET" || request.method === "HEAD") && !pathname.startsWith("/api/");
  return pageLoad ? unavailablePage(pathname + search) : NextResponse.next({ request });
}

export async function sessionMiddleware(request: NextRequest): Promise<NextResponse> {
  const refreshed = getEnv().mode === "supabase" ? await refreshSupabase(request) : await refreshLocal(request);
  const { pathname, search } = request.nextUrl;
  if (refreshed.unavailable) return whileUnavailable(request);

  if (refreshed.email === null && SIGNED_IN_ONLY.some((pattern) => pattern.test(pathname))) {
    // Built from APP_URL: the Host header is the client's (or a proxy's) choice.
    const login = appUrl(`/login?${new URLSearchParams({ next: pathname + search })}`);
    return refreshed.apply(NextResponse.redirect(login));
  }
  return refreshed.apply(NextResponse.next({ request }));
}
