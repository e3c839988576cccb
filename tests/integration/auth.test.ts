import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getSessionFromRequest, requestCookieJar, signIn, signUp } from "@/lib/auth";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, signSessionToken } from "@/lib/auth/claims";
import { sessionMiddleware } from "@/lib/auth/middleware";
import { DatabaseUnavailableError, setDb, type SqlDatabase } from "@/lib/db";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { resetEnvCache } from "@/lib/env";
import { balanceOf, openTestDatabase, type TestDatabase } from "../helpers/databases";
import { confirmThroughMailedLink } from "../helpers/mail";
import { suiteTempDir } from "../helpers/temp-dir";

const SECRET = "test-auth-secret-0123456789abcdef0123456789";
const PASSWORD = "a long enough password";
let t: TestDatabase;
let db: SqlDatabase;
let counter = 0;

const email = (name: string) => `${name}-${++counter}@example.com`;
const blankRequest = () => new Request("http://app.test/");

function requestWith(token: string | undefined, url = "http://app.test/") {
  return new Request(url, { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} });
}

async function signUpFor(address: string) {
  const jar = requestCookieJar(blankRequest());
  const outcome = await signUp({ email: address, password: PASSWORD }, { ip: `192.0.2.${counter % 250}`, jar });
  return { outcome, token: jar.written.find((c) => c.name === SESSION_COOKIE)?.value };
}

async function signInAs(address: string, password = PASSWORD, ip = "203.0.113.1") {
  const jar = requestCookieJar(blankRequest());
  const outcome = await signIn({ email: address, password }, { ip, jar });
  return { outcome, token: jar.written.find((c) => c.name === SESSION_COOKIE)?.value, cookies: jar.written };
}

const dataDir = suiteTempDir("credits-auth-test-");

beforeAll(async () => {
  process.env.APP_DATA_DIR = dataDir.path;
  process.env.AUTH_SECRET = SECRET;
  process.env.ADMIN_EMAILS = "Boss@Example.com";
  delete process.env.DATABASE_URL;
  delete process.env.STRIPE_SECRET_KEY;
  resetEnvCache();
  t = await openTestDatabase("pglite");
  db = t.db;
  setDb(db);
});

afterAll(async () => {
  setDb(undefined);
  await t?.drop();
});

describe("local accounts", () => {
  it("signs you in when you sign up: an HttpOnly, SameSite=Lax session cookie with Supabase-style claims", async () => {
    const address = email("new");
    const { outcome, token } = await signUpFor(address);
    expect(outcome).toMatchObject({ ok: true, session: { email: address, isAdmin: false, emailConfirmed: false } });
    const session = await getSessionFromRequest(requestWith(token));
    expect(session).toEqual({ userId: expect.any(String), email: address, isAdmin: false, emailConfirmed: false });

    const claims = JSON.parse(Buffer.from(token!.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({
      sub: session!.userId,
      email: address,
      role: "authenticated",
      aud: "authenticated",
      session_id: expect.any(String),
    });
    expect(claims.exp - claims.iat).toBe(SESSION_TTL_SECONDS);

    const { cookies } = await signInAs(address);
    expect(cookies[0].options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
  });

  it("stores a scrypt hash, never the password", async () => {
    const address = email("hash");
    await signUpFor(address);
    const [row] = await db.query<{ encrypted_password: string }>(
      "select encrypted_password from auth.users where email = $1",
      [address],
    );
    expect(row.encrypted_password).toMatch(/^scrypt\$/);
    expect(row.encrypted_password).not.toContain(PASSWORD);
  });

  it("refuses a wrong password and an unknown e-mail with the same message", async () => {
    const address = email("wrong");
    await signUpFor(address);
    const wrong = await signInAs(address, "not the password");
    const unknown = await signInAs(email("nobody"));
    expect(wrong.outcome).toEqual({ ok: false, status: 401, error: "Wrong e-mail or password." });
    expect(unknown.outcome).toEqual(wrong.outcome);
    expect(wrong.token).toBeUndefined();
  });

  it("refuses a second sign-up with the same e-mail, whatever its case", async () => {
    const address = email("dup");
    await signUpFor(address);
    const again = await signUpFor(address.toUpperCase());
    expect(again.outcome).toMatchObject({ ok: false, status: 409 });
    expect(again.token).toBeUndefined();
  });

  it("treats e-mails case-insensitively: sign up Mixed@…, sign in mixed@…", async () => {
    const address = email("Mixed");
    const { outcome } = await signUpFor(`  ${address.replace("@example.com", "@EXAMPLE.com")} `);
    expect(outcome).toMatchObject({ ok: true, session: { email: address.toLowerCase() } });
    const { outcome: signedIn } = await signInAs(address.toLowerCase());
    expect(signedIn).toMatchObject({ ok: true, session: { email: address.toLowerCase() } });
  });

  it("rejects malformed input with a clear message", async () => {
    expect((await signUp({ email: "not-an-email", password: PASSWORD }, requestCookieJar(blankRequest()))).ok).toBe(
      false,
    );
    const short = await signUp({ email: email("short"), password: "short" }, requestCookieJar(blankRequest()));
    expect(short).toEqual({ ok: false, status: 400, error: "Use at least 8 characters for your password." });
  });

  it("adds credits bought before the account existed once you confirm the e-mail through the mailed link", async () => {
    const address = email("early");
    await grantCreditsForPurchase(db, {
      provider: "stripe",
      externalId: `pi_${address}`,
      email: address.toUpperCase(),
      packageId: "pro",
      amountMinor: 2500,
      currency: "usd",
    });
    const { outcome, token } = await signUpFor(address);
    const userId = outcome.ok && outcome.session ? outcome.session.userId : "";
    expect(await balanceOf(db, userId)).toBe(0);
    await confirmThroughMailedLink(db, address);
    expect(await balanceOf(db, userId)).toBe(550);
    expect(await getSessionFromRequest(requestWith(token))).toMatchObject({ emailConfirmed: true });
  });

  it("makes ADMIN_EMAILS admins only once the address is confirmed, in the session and in profiles.is_admin (for RLS)", async () => {
    const { outcome, token } = await signUpFor("boss@example.com");
    expect(outcome).toMatchObject({ ok: true, session: { isAdmin: false, emailConfirmed: false } });
    const isAdmin = async () =>
      (
        await db.query<{ is_admin: boolean }>("select is_admin from public.profiles where email = 'boss@example.com'")
      )[0].is_admin;
    expect(await isAdmin()).toBe(false);
    expect(await getSessionFromRequest(requestWith(token))).toMatchObject({ isAdmin: false });

    await confirmThroughMailedLink(db, "boss@example.com");
    expect(await isAdmin()).toBe(true);
    expect(await getSessionFromRequest(requestWith(token))).toMatchObject({ isAdmin: true, emailConfirmed: true });
  });
});

describe("session cookies", () => {
  let address: string;
  let token: string;
  beforeEach(async () => {
    address = email("cookie");
    token = (await signUpFor(address)).token!;
  });

  it("ignores a tampered cookie (claims changed, signature kept)", async () => {
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, email: "boss@example.com" })).toString("base64url");
    expect(await getSessionFromRequest(requestWith(`${header}.${forged}.${signature}`))).toBeNull();
    expect(await getSessionFromRequest(requestWith(`${token.slice(0, -2)}xx`))).toBeNull();
    expect(await getSessionFromRequest(requestWith("garbage"))).toBeNull();
  });

  it("ignores a cookie signed with another secret", async () => {
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    const other = await signSessionToken("another-secret-0123456789abcdef01234567", {
      userId: claims.sub,
      email: address,
      sessionId: claims.session_id,
    });
    expect(await getSessionFromRequest(requestWith(other))).toBeNull();
  });

  it("ignores an expired cookie", async () => {
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    const longAgo = Math.floor(Date.now() / 1000) - SESSION_TTL_SECONDS - 60;
    const expired = await signSessionToken(
      SECRET,
      { userId: claims.sub, email: address, sessionId: claims.session_id },
      longAgo,
    );
    expect(await getSessionFromRequest(requestWith(expired))).toBeNull();
  });
});

describe("sign-in rate limit", () => {
  it("refuses the 11th attempt on one e-mail from one address within 15 minutes, and says so; the owner elsewhere still gets in", async () => {
    const address = email("limited");
    await signUpFor(address);
    for (let i = 1; i <= 10; i++) {
      expect((await signInAs(address, "wrong password!", "198.51.100.1")).outcome).toMatchObject({ status: 401 });
    }
    const right = await signInAs(address, PASSWORD, "198.51.100.1");
    expect(right.outcome).toEqual({ ok: false, status: 429, error: "Too many attempts, try again in 15 minutes." });
    expect(right.token).toBeUndefined();
    // The owner, from their own address, is not locked out by the stranger.
    expect((await signInAs(address, PASSWORD, "198.51.100.200")).outcome.ok).toBe(true);
    // Another account is not affected either.
    const other = email("unaffected");
    await signUpFor(other);
    expect((await signInAs(other, PASSWORD, "198.51.100.12")).outcome.ok).toBe(true);
  });

  it("limits one IP across many e-mails", async () => {
    const ip = "192.0.2.77";
    const limits = { maxPerIp: 3 };
    for (let i = 0; i < 3; i++) {
      await signIn(
        { email: email("spray"), password: "wrong password!" },
        { ip, limits, jar: requestCookieJar(blankRequest()) },
      );
    }
    const blocked = await signIn(
      { email: email("spray"), password: "wrong password!" },
      { ip, limits, jar: requestCookieJar(blankRequest()) },
    );
    expect(blocked).toMatchObject({
      ok: false,
      status: 429,
      error: expect.stringMatching(/^Too many attempts, try again in \d+ minutes?\.$/),
    });
  });

  it("keeps the counters in the database, hashed", async () => {
    const rows = await db.query<{ key_hash: string }>("select key_hash from public.auth_rate_limits");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key_hash))).toBe(true);
  });
});

describe("middleware", () => {
  const run = (path: string, token?: string) =>
    sessionMiddleware(
      new NextRequest(`http://127.0.0.1:3000${path}`, {
        headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {},
      }),
    );

  it("sends signed-out visitors from /wallet, /purchases and /admin/* to /login?next=…", async () => {
    for (const path of ["/wallet", "/purchases?before=x", "/admin/events"]) {
      const response = await run(path);
      expect(response.status).toBe(307);
      expect(new URL(response.headers.get("location")!).pathname).toBe("/login");
      expect(new URL(response.headers.get("location")!).searchParams.get("next")).toBe(path);
    }
    expect((await run("/")).headers.get("location")).toBeNull();
  });

  it("lets a signed-in non-admin's /admin/* request through to the admin layout, which answers 404 (no rewrite)", async () => {
    const { token } = await signUpFor(email("nosy"));
    const response = await run("/admin/events", token);
    expect(response.headers.get("x-middleware-rewrite")).toBeNull();
    expect(response.headers.get("x-middleware-next")).toBe("1");
  });

  it("while the database is down: a signed-in page load gets the 503 page, not /login; posts and APIs go on", async () => {
    const { token } = await signUpFor(email("outage"));
    const down = {
      mode: "postgres" as const,
      rpc: async () => Promise.reject(new DatabaseUnavailableError()),
      close: async () => {},
    };
    setDb(down);
    try {
      for (const path of ["/wallet", "/login", "/admin/events", "/purchases?page=2&x=<b>"]) {
        const response = await run(path, token);
        expect({ path, status: response.status }).toEqual({ path, status: 503 });
        expect(response.headers.get("retry-after")).toBe("30");
        expect(response.headers.get("location")).toBeNull();
        expect(response.cookies.get(SESSION_COOKIE)).toBeUndefined(); // the cookie is kept for when it is back
        const body = await response.text();
        expect(body).toContain("Your credits are safe");
        expect(body).not.toContain("<b>"); // the "Try again" link is escaped
      }
      const post = await sessionMiddleware(
        new NextRequest("http://127.0.0.1:3000/wallet", {
          method: "POST",
          headers: { cookie: `${SESSION_COOKIE}=${token}` },
        }),
      );
      expect(post.headers.get("x-middleware-next")).toBe("1");
      expect((await run("/api/checkout/stripe", token)).headers.get("x-middleware-next")).toBe("1");
      // without a cookie nothing needs the database: signed out, as always
      expect((await run("/wallet")).status).toBe(307);
      expect((await run("/login")).headers.get("x-middleware-next")).toBe("1");
    } finally {
      setDb(db);
    }
    expect((await run("/wallet", token)).headers.get("x-middleware-next")).toBe("1");
  });

  it("re-issues a session cookie in the second half of its life, and drops an invalid one", async () => {
    const address = email("sliding");
    const { outcome, token } = await signUpFor(address);
    const userId = outcome.ok && outcome.session ? outcome.session.userId : "";
    const sessionId = JSON.parse(Buffer.from(token!.split(".")[1], "base64url").toString()).session_id;
    const old = await signSessionToken(
      SECRET,
      { userId, email: address, sessionId },
      Math.floor(Date.now() / 1000) - SESSION_TTL_SECONDS * 0.75,
    );
    const refreshed = (await run("/wallet", old)).cookies.get(SESSION_COOKIE);
    expect(refreshed?.value).toBeTruthy();
    expect(refreshed?.value).not.toBe(old);
    expect(refreshed?.httpOnly).toBe(true);

    const fresh = await signSessionToken(SECRET, { userId, email: address, sessionId });
    expect((await run("/wallet", fresh)).cookies.get(SESSION_COOKIE)).toBeUndefined();

    const dropped = await run("/", "tampered.token.value");
    expect(dropped.cookies.get(SESSION_COOKIE)?.value).toBe("");
  });
});
