/**
 * Sign-in and sign-up limits in Supabase mode (SPEC §7: per IP and per
 * (e-mail, IP), without letting a stranger lock the owner out). Supabase Auth
 * has limits of its own, but every request reaches it from our server, so it
 * sees one address for all our users: its limits cannot tell a guessing tool
 * from the owner. Our counters (the same SQL functions as local accounts) run
 * first, so a limited attempt never reaches Supabase Auth at all — which is
 * what these tests count, on a stand-in GoTrue (tests/helpers/gotrue.ts).
 * Also: Supabase Auth down is not the same as signed out (middleware).
 */
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestCookieJar, requestEmailLink, resetPassword, signIn, signUp } from "@/lib/auth";
import { sessionMiddleware } from "@/lib/auth/middleware";
import { resetEnvCache } from "@/lib/env";
import { targets } from "../helpers/databases";
import { startFakeGotrue, type FakeGotrue } from "../helpers/gotrue";
import { useRouteSuite } from "../helpers/route-suite";

const PASSWORD = "the right password, long enough";
const MAX_PER_EMAIL_IP = 10; // auth_login_attempt's default: wrong passwords per (e-mail, IP) in 15 minutes
let n = 0;
const email = (name: string) => `${name}-${Date.now().toString(36)}-${++n}@example.com`;
const jar = () => requestCookieJar(new Request("http://app.test/"));
const SUPABASE_VARS = ["NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY"];

describe.each(targets)("Supabase mode: sign-in and sign-up limits on %s", (target) => {
  let gotrue: FakeGotrue;
  beforeAll(async () => {
    gotrue = await startFakeGotrue();
  });
  // getDb() is the test database (as the service-role RPCs would reach it); Supabase Auth is the stand-in.
  useRouteSuite(target, () => ({
    NEXT_PUBLIC_SUPABASE_URL: gotrue.origin,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key-for-tests",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key-for-tests",
    APP_URL: "https://credits.example.test",
  }));
  afterAll(async () => {
    for (const name of SUPABASE_VARS) delete process.env[name];
    resetEnvCache();
    await gotrue.close();
  });

  const signInAs = (address: string, password: string, ip: string) =>
    signIn({ email: address, password }, { ip, jar: jar() });
  const signUpAs = (address: string, ip: string) => signUp({ email: address, password: PASSWORD }, { ip, jar: jar() });
  const status = (o: { ok: boolean; status?: number }) => (o.ok ? 200 : o.status);

  it("stops a guessing tool's wrong passwords before Supabase Auth, and never locks the owner out", async () => {
    const owner = email("owner");
    expect(await signUpAs(owner, "192.0.2.1")).toMatchObject({ ok: true });
    const before = gotrue.count("POST /auth/v1/token");

    const guesses = [];
    for (let i = 0; i < MAX_PER_EMAIL_IP + 5; i++)
      guesses.push(status(await signInAs(owner, `wrong password number ${i}`, "203.0.113.7")));
    expect(guesses.slice(0, MAX_PER_EMAIL_IP).every((s) => s === 401)).toBe(true);
    expect(guesses.slice(MAX_PER_EMAIL_IP).every((s) => s === 429)).toBe(true);
    // the right password from the limited address is refused without asking Supabase
    expect(await signInAs(owner, PASSWORD, "203.0.113.7")).toMatchObject({ ok: false, status: 429 });
    expect(gotrue.count("POST /auth/v1/token") - before).toBe(MAX_PER_EMAIL_IP);

    // the owner, anywhere else, signs in
    expect(await signInAs(owner, PASSWORD, "192.0.2.44")).toMatchObject({ ok: true });
  });

  it("lets at most the allowed number of a simultaneous burst of 100 reach Supabase Auth", async () => {
    const owner = email("burst");
    expect(await signUpAs(owner, "192.0.2.2")).toMatchObject({ ok: true });
    const before = gotrue.count("POST /auth/v1/token");
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        signInAs(owner, i === 70 ? PASSWORD : `wrong password number ${i}`, "203.0.113.8"),
      ),
    );
    expect(outcomes.filter((o) => o.ok || o.status === 401).length).toBeLessThanOrEqual(MAX_PER_EMAIL_IP);
    expect(outcomes.filter((o) => !o.ok && o.status !== 401 && o.status !== 429)).toEqual([]);
    expect(gotrue.count("POST /auth/v1/token") - before).toBeLessThanOrEqual(MAX_PER_EMAIL_IP);
  });

  it("counts only failures: a right password clears the (e-mail, IP) counter", async () => {
    const owner = email("forgetful");
    expect(await signUpAs(owner, "192.0.2.3")).toMatchObject({ ok: true });
    for (let i = 0; i < MAX_PER_EMAIL_IP - 1; i++) await signInAs(owner, `a typo in the password ${i}`, "192.0.2.30");
    expect(await signInAs(owner, PASSWORD, "192.0.2.30")).toMatchObject({ ok: true });
    const after = [];
    for (let i = 0; i < MAX_PER_EMAIL_IP - 1; i++)
      after.push(status(await signInAs(owner, `another typo in the password ${i}`, "192.0.2.30")));
    expect(after.every((s) => s === 401)).toBe(true);
  });

  it("limits sign-ups per address (20 an hour) before Supabase Auth, not anyone else's", async () => {
    const before = gotrue.count("POST /auth/v1/signup");
    const outcomes = [];
    for (let i = 0; i < 21; i++) outcomes.push(status(await signUpAs(email("many"), "203.0.113.50")));
    expect(outcomes.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(outcomes[20]).toBe(429);
    expect(gotrue.count("POST /auth/v1/signup") - before).toBe(20);
    expect(await signUpAs(email("elsewhere"), "203.0.113.51")).toMatchObject({ ok: true });
  });

  it("limits mailed-link requests per (e-mail, IP) before Supabase Auth mails anything", async () => {
    const address = email("mailbox");
    const before = gotrue.count("POST /auth/v1/recover");
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(status(await requestEmailLink(address, "reset_password", { ip: "203.0.113.60", jar: jar() })));
    }
    expect(outcomes).toEqual([200, 200, 200, 200, 200, 429]);
    expect(gotrue.count("POST /auth/v1/recover") - before).toBe(5);
    expect(await requestEmailLink(address, "reset_password", { ip: "203.0.113.61", jar: jar() })).toMatchObject({
      ok: true,
    });
  });

  it("limits password-reset tries per address (5 an hour, as for local accounts)", async () => {
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(status(await resetPassword(`made-up-code-${i}`, PASSWORD, { ip: "203.0.113.70", jar: jar() })));
    }
    expect(outcomes).toEqual([410, 410, 410, 410, 410, 429]);
    expect(await resetPassword("made-up-code", PASSWORD, { ip: "203.0.113.71", jar: jar() })).toMatchObject({
      status: 410,
    });
  });

  it("middleware: Supabase Auth down is not signing out; a page load gets the 503 page, the cookies stay", async () => {
    const cookies = jar();
    expect(
      await signUp({ email: email("outage"), password: PASSWORD }, { ip: "192.0.2.90", jar: cookies }),
    ).toMatchObject({ ok: true });
    const cookie = cookies.written.map((c) => `${c.name}=${c.value}`).join("; ");
    expect(cookie).toContain("sb-");
    const load = (path: string, withCookie = true) =>
      sessionMiddleware(new NextRequest(`http://127.0.0.1:3000${path}`, { headers: withCookie ? { cookie } : {} }));

    expect((await load("/wallet")).headers.get("x-middleware-next")).toBe("1");
    gotrue.down = true;
    try {
      const response = await load("/wallet");
      expect(response.status).toBe(503);
      expect(response.headers.get("location")).toBeNull();
      expect(await response.text()).toContain("Your credits are safe");
      expect(response.headers.getSetCookie().filter((c) => c.startsWith("sb-"))).toEqual([]);
      expect((await load("/wallet", false)).status).toBe(307); // no session: signed out, as always
    } finally {
      gotrue.down = false;
    }
    expect((await load("/wallet")).headers.get("x-middleware-next")).toBe("1");
  });
});
