/**
 * For suites that drive a real `next start` as signed-in people: accounts and
 * their session cookies written straight into the server database (a
 * confirmed account, a live auth_sessions row, the cookie signed with the
 * server's AUTH_SECRET), and page requests that do not follow redirects.
 */
import pg from "pg";
import { SESSION_COOKIE, signSessionToken } from "@/lib/auth/claims";

/** One cookie header per e-mail (each a confirmed account with a live session). */
export async function signedInCookies(
  databaseUrl: string,
  authSecret: string,
  emails: string[],
): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const cookies: Record<string, string> = {};
    for (const email of emails) {
      const [{ id }] = (
        await client.query<{ id: string }>(
          "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
          [email],
        )
      ).rows;
      const [{ session }] = (
        await client.query<{ session: string }>("select public.local_start_session($1) as session", [id])
      ).rows;
      const token = await signSessionToken(authSecret, { userId: id, email, sessionId: session });
      cookies[email] = `${SESSION_COOKIE}=${token}`;
    }
    return cookies;
  } finally {
    await client.end();
  }
}

/** GET a page of `origin` as the browser would send it, with `cookie` if given; redirects are returned, not followed. */
export const getPage = (origin: string, pathname: string, cookie?: string) =>
  fetch(origin + pathname, {
    headers: cookie ? { cookie } : {},
    redirect: "manual",
    signal: AbortSignal.timeout(30_000),
  });
