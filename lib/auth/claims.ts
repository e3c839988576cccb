/**
 * Local session tokens: HS256 JWTs with Supabase-style claims (sub, email,
 * role, aud, session_id), so the same claims could drive auth.uid() /
 * auth.jwt() in SQL. session_id names the auth_sessions row that must still be
 * live for the token to count (checked in lib/auth/local.ts): the signature
 * proves who issued the token, the row that it has not been revoked.
 */
import { jwtVerify, SignJWT } from "jose";

export const SESSION_COOKIE = "credits_session";
/** A session lasts a week of inactivity: every visit in its second half re-issues it. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;
const REFRESH_WHEN_REMAINING_SECONDS = SESSION_TTL_SECONDS / 2;
const AUDIENCE = "authenticated";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SessionClaims {
  userId: string;
  email: string;
  sessionId: string;
  /** unix seconds */
  expiresAt: number;
}

function keyOf(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signSessionToken(
  secret: string,
  user: { userId: string; email: string; sessionId: string },
  now = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ email: user.email, role: "authenticated", session_id: user.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.userId)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + SESSION_TTL_SECONDS)
    .sign(keyOf(secret));
}

/** The claims of a valid, unexpired token signed with secret; null for anything else. */
export async function verifySessionToken(secret: string, token: string | undefined): Promise<SessionClaims | null> {
  if (!token || !secret) return null;
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ["HS256"], audience: AUDIENCE });
    const { sub, email, exp, session_id: sessionId } = payload;
    if (
      typeof sub !== "string" ||
      typeof email !== "string" ||
      typeof exp !== "number" ||
      typeof sessionId !== "string"
    ) {
      return null;
    }
    if (payload.role !== "authenticated" || !UUID.test(sub) || !UUID.test(sessionId)) return null;
    return { userId: sub, email, sessionId, expiresAt: exp };
  } catch {
    return null;
  }
}

export function needsRefresh(claims: SessionClaims, now = Math.floor(Date.now() / 1000)): boolean {
  return claims.expiresAt - now < REFRESH_WHEN_REMAINING_SECONDS;
}

/** Options for the session cookie: never readable by scripts, sent on top-level navigations. */
export function sessionCookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: "lax" as const, secure, path: "/", maxAge: SESSION_TTL_SECONDS };
}
