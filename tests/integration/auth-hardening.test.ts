/**
 * Local accounts under attack, through the same auth API the pages use:
 * mailed links (single use, expiring, stored hashed, written with their cause),
 * sign-in / sign-up limits a stranger cannot turn against the owner, and
 * sessions that end on the server.
 */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import {
  getSessionFromRequest,
  requestCookieJar,
  requestEmailLink,
  resetPassword,
  signIn,
  signOut,
  signUp,
  verifyEmail,
} from "@/lib/auth";
import { SESSION_COOKIE } from "@/lib/auth/claims";
import { sessionMiddleware } from "@/lib/auth/middleware";
import { targets } from "../helpers/databases";
import { latestMailedLink } from "../helpers/mail";
import { useRouteSuite } from "../helpers/route-suite";

const PASSWORD = "the right password, long enough";
const APP_URL = "https://credits.example.test";
let n = 0;
const email = (name: string) => `${name}-${Date.now().toString(36)}-${++n}@example.com`;
const ip = () => `198.51.${Math.floor(n / 200) % 250}.${(n++ % 200) + 1}`;
const jar = () => requestCookieJar(new Request("http://app.test/"));
const withCookie = (token: string | undefined) =>
  new Request("http://app.test/", { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} });

async function signUpAs(address: string, from = ip()) {
  const cookies = jar();
  const outcome = await signUp({ email: address, password: PASSWORD }, { ip: from, jar: cookies });
  return { outcome, token: cookies.written.find((c) => c.name === SESSION_COOKIE)?.value };
}

async function signInAs(address: string, password = PASSWORD, from = ip()) {
  const cookies = jar();
  const outcome = await signIn({ email: address, password }, { ip: from, jar: cookies });
  return { outcome, token: cookies.written.find((c) => c.name === SESSION_COOKIE)?.value };
}

describe.each(targets)("auth hardening on %s", (target) => {
  const suite = useRouteSuite(target, () => ({ APP_URL, ADMIN_EMAILS: "" }));
  const count = (sql: string, params: unknown[]) =>
    suite.db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params).then((rows) => rows[0].n);

  describe("verification link", () => {
    it("is mailed from APP_URL in the sign-up's own transaction, stored only as a hash, and works once", async () => {
      const address = email("verify");
      const { outcome } = await signUpAs(address);
      expect(outcome).toMatchObject({ ok: true, session: { emailConfirmed: false } });
      expect(await count("public.email_outbox where to_email = $1 and kind = 'verify_email'", [address])).toBe(1);

      const link = await latestMailedLink(suite.db, address, "verify-email");
      expect(link.origin).toBe(APP_URL);
      const token = link.searchParams.get("token")!;
      expect(token.length).toBeGreaterThanOrEqual(43);
      const stored = await suite.db.query<{ token_hash: string; expires_in_hours: number }>(
        "select token_hash, round(extract(epoch from t.expires_at - t.created_at) / 3600)::int as expires_in_hours from public.auth_email_tokens t join auth.users u on u.id = t.user_id where u.email = $1",
        [address],
      );
      expect(stored).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/), expires_in_hours: 24 }]);
      expect(stored[0].token_hash).not.toContain(token);

      expect(await verifyEmail(token)).toMatchObject({ ok: true });
      const [user] = await suite.db.query<{ email_confirmed_at: Date | null }>(
        "select email_confirmed_at from auth.users where email = $1",
        [address],
      );
      expect(user.email_confirmed_at).toBeInstanceOf(Date);
      expect(await verifyEmail(token)).toMatchObject({ ok: false, status: 410 });
    });

    it("writes no mail when the sign-up fails (the e-mail is taken)", async () => {
      const address = email("taken");
      await signUpAs(address);
      expect((await signUpAs(address)).outcome).toMatchObject({ ok: false, status: 409 });
      expect(await count("public.email_outbox where to_email = $1", [address])).toBe(1);
    });

    it("refuses an expired link, a made-up one, and an older link after a new one was sent", async () => {
      const address = email("expiry");
      await signUpAs(address);
      const first = (await latestMailedLink(suite.db, address, "verify-email")).searchParams.get("token")!;
      expect(await requestEmailLink(address, "verify_email", { ip: ip() })).toMatchObject({ ok: true });
      const second = (await latestMailedLink(suite.db, address, "verify-email")).searchParams.get("token")!;
      expect(second).not.toBe(first);
      expect(await verifyEmail(first)).toMatchObject({ ok: false });
      expect(await verifyEmail("A".repeat(43))).toMatchObject({ ok: false, status: 400 });

      await suite.db.query(
        "update public.auth_email_tokens set expires_at = now() - interval '1 second' where user_id = (select id from auth.users where email = $1) and used_at is null",
        [address],
      );
      expect(await verifyEmail(second)).toMatchObject({
        ok: false,
        status: 410,
        error: expect.stringMatching(/expired/),
      });
    });
  });

  describe("sign-in limits", () => {
    it("a stranger's wrong passwords from other addresses never lock the owner out", async () => {
      const address = email("owner");
      await signUpAs(address);
      for (const stranger of ["203.0.113.10", "203.0.113.11", "203.0.113.12"]) {
        for (let i = 0; i < 12; i++) await signInAs(address, `wrong password ${i}`, stranger);
        expect((await signInAs(address, PASSWORD, stranger)).outcome).toMatchObject({ ok: false, status: 429 });
      }
      const owner = await signInAs(address, PASSWORD, "192.0.2.200");
      expect(owner.outcome).toMatchObject({ ok: true });
      expect(owner.token).toBeTruthy();
    });

    it("the owner still gets in after a burst of wrong passwords from 40 addresses", async () => {
      const address = email("burst-owner");
      await signUpAs(address);
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          signInAs(address, `wrong ${i}`, `198.18.${Math.floor(i / 100)}.${(i % 100) + 1}`),
        ),
      );
      expect(burst.every(({ outcome }) => !outcome.ok)).toBe(true);
      expect((await signInAs(address, PASSWORD, "192.0.2.201")).outcome.ok).toBe(true);
    });
  });

  describe("sign-up limits", () => {
    it("limits sign-ups per address (20 an hour) and per (e-mail, address) (5 an hour), not anyone else", async () => {
      const from = "203.0.113.50";
      const outcomes = [];
      for (let i = 0; i < 21; i++) outcomes.push((await signUpAs(email("many"), from)).outcome);
      expect(outcomes.slice(0, 20).every((o) => o.ok)).toBe(true);
      expect(outcomes[20]).toMatchObject({ ok: false, status: 429 });
      expect((await signUpAs(email("elsewhere"), "203.0.113.51")).outcome.ok).toBe(true);

      const same = email("again");
      const repeats = [];
      for (let i = 0; i < 6; i++) repeats.push((await signUpAs(same, "203.0.113.52")).outcome);
      expect(repeats.map((o) => (o.ok ? 200 : o.status))).toEqual([200, 409, 409, 409, 409, 429]);
    });
  });

  describe("sessions", () => {
    it("sign-out ends the session on the server: a copy of the cookie no longer works, other sessions do", async () => {
      const address = email("signout");
      const { token: phone } = await signUpAs(address);
      const { token: laptop } = await signInAs(address);
      expect(await getSessionFromRequest(withCookie(phone))).toMatchObject({ email: address });

      await signOut(requestCookieJar(withCookie(phone)));
      expect(await getSessionFromRequest(withCookie(phone))).toBeNull();
      const middleware = await sessionMiddleware(
        new NextRequest("http://127.0.0.1:3000/wallet", { headers: { cookie: `${SESSION_COOKIE}=${phone}` } }),
      );
      expect(middleware.status).toBe(307);
      expect(new URL(middleware.headers.get("location")!).href).toBe(`${APP_URL}/login?next=%2Fwallet`);
      expect(await getSessionFromRequest(withCookie(laptop))).toMatchObject({ email: address });
    });

    it("a password reset through the mailed link ends every session, once, and confirms the address", async () => {
      const address = email("reset");
      const { token: before } = await signUpAs(address);
      expect(await requestEmailLink(address, "reset_password", { ip: ip() })).toMatchObject({ ok: true });
      const link = await latestMailedLink(suite.db, address, "reset-password");
      expect(link.origin).toBe(APP_URL);
      const token = link.searchParams.get("token");

      const newPassword = "a brand new password, long";
      expect(await resetPassword(token, newPassword, { ip: ip() })).toMatchObject({ ok: true });
      expect(await getSessionFromRequest(withCookie(before))).toBeNull();
      expect((await signInAs(address, PASSWORD)).outcome).toMatchObject({ ok: false, status: 401 });
      const after = await signInAs(address, newPassword);
      expect(after.outcome).toMatchObject({ ok: true, session: { emailConfirmed: true } });

      expect(await resetPassword(token, "yet another password!", { ip: ip() })).toMatchObject({
        ok: false,
        status: 410,
      });
      expect(await getSessionFromRequest(withCookie(after.token))).toMatchObject({ email: address });
    });

    it("answers a reset request for an unknown e-mail exactly as for a known one, and mails nothing", async () => {
      const known = email("known");
      await signUpAs(known);
      const unknown = email("nobody");
      const a = await requestEmailLink(known, "reset_password", { ip: ip() });
      const b = await requestEmailLink(unknown, "reset_password", { ip: ip() });
      expect(b).toEqual(a);
      expect(await count("public.email_outbox where to_email = $1", [unknown])).toBe(0);
    });
  });
});
