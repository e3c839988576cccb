/**
 * What middleware does on every request: keep the session fresh (re-issue the
 * local JWT in the second half of its life; let @supabase/ssr refresh its
 * tokens) and keep signed-out visitors and non-admins out of private pages.
 * Pages and routes check again on the server (requireUser / requireAdmin).
 */
import { createServerClient } from "@supabase/ssr";
import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { needsRefresh, SESSION_COOKIE, sessionCookieOptions, signSessionToken, verifySessionToken } from "./claims";
import { isAdminEmail } from "./session";

const SIGNED_IN_ONLY = [/^\/wallet(\/|$)/, /^\/purchases(\/|$)/, /^\/settings(\/|$)/, /^\/admin(\/|$)/];
const ADMIN_ONLY = /^\/admin(\/|$)/;

interface Refreshed {
  email: string | null;
  /** applies the refreshed cookies to whatever response middleware returns */
  apply(response: NextResponse): NextResponse;
}

async function refreshLocal(request: NextRequest): Promise<Refreshed> {
  const env = getEnv();
  const token = request.cookies.get(SESSION_COOKIE)?.value;
  const claims = await verifySessionToken(env.AUTH_SECRET, token);
  if (!claims) {
    // A tampered or expired cookie is dropped so the browser stops sending it.
    return { email: null, apply: (response) => (token ? (response.cookies.delete(SESSION_COOKIE), response) : response) };
  }
  if (!needsRefresh(claims)) return { email: claims.email, apply: (response) => response };
  const fresh = await signSessionToken(env.AUTH_SECRET, claims);
  return {
    email: claims.email,
    apply: (response) => {
      response.cookies.set(SESSION_COOKIE, fresh, sessionCookieOptions(env.isProduction));
      return response;
    },
  };
}

async function refreshSupabase(request: NextRequest): Promise<Refreshed> {
  const env = getEnv();
  const written: Array<{ name: string; value: string; options: object }> = [];
  const supabase = createServerClient(env.NEXT_PUBLIC_SUPABASE_URL!, env.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
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
  const { data } = await supabase.auth.getUser();
  return {
    email: data.user?.email ?? null,
    apply: (response) => {
      for (const { name, value, options } of written) response.cookies.set(name, value, options);
      return response;
    },
  };
}

export async function sessionMiddleware(request: NextRequest): Promise<NextResponse> {
  const refreshed = getEnv().mode === "supabase" ? await refreshSupabase(request) : await refreshLocal(request);
  const { pathname, search } = request.nextUrl;

  if (refreshed.email === null && SIGNED_IN_ONLY.some((pattern) => pattern.test(pathname))) {
    const login = new URL(`/login?${new URLSearchParams({ next: pathname + search })}`, request.url);
    return refreshed.apply(NextResponse.redirect(login));
  }
  if (refreshed.email !== null && ADMIN_ONLY.test(pathname) && !isAdminEmail(refreshed.email)) {
    // Admin pages do not exist for anyone else: render the ordinary 404.
    return refreshed.apply(NextResponse.rewrite(new URL("/_admin-not-found", request.url)));
  }
  return refreshed.apply(NextResponse.next({ request }));
}
