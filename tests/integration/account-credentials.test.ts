/**
 * API keys are credentials of the account (SPEC §6b, last bullet): a password
 * change, "sign out everywhere" and an admin disabling the account revoke
 * every key and every session of that account, in SQL, in the transaction
 * that causes it; a revoked key answers 401 with the reason; creating a key
 * needs a confirmed e-mail. Attacked as issue 26 describes: a squatter's key
 * must not outlive the owner's password reset.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const auth = vi.hoisted(() => ({ user: null as unknown }));
// Pages render here to static HTML, outside Next's app router: client components that refresh it get a stand-in.
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ refresh: () => undefined }),
}));
vi.mock("@/lib/auth", async (original) => {
  const real = await original<typeof import("@/lib/auth")>();
  return {
    ...real,
    // pages and actions called directly: the session is the test's when it sets one
    requireUser: async (next?: string) => (auth.user as never) ?? real.requireUser(next),
  };
});

import { GET as balanceRoute } from "@/app/api/v1/balance/route";
import { POST as spendRoute } from "@/app/api/v1/spend/route";
import ApiKeysPage from "@/app/(account)/settings/api-keys/page";
import { createApiKeyAction } from "@/lib/api-keys/actions";
import {
  getSessionFromRequest,
  requestCookieJar,
  requestEmailLink,
  resetPassword,
  setAccountDisabled,
  signIn,
  signOutEverywhere,
  signUp,
} from "@/lib/auth";
import { SESSION_COOKIE } from "@/lib/auth/claims";
import { createApiKey, listApiKeys } from "@/lib/db/rpc/api-keys";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { resetEnvCache } from "@/lib/env";
import { balanceOf, createUser, targets, walletsOffLedger } from "../helpers/databases";
import { startFakeGotrue, type FakeGotrue } from "../helpers/gotrue";
import { confirmThroughMailedLink, latestMailedLink } from "../helpers/mail";
import { useRouteSuite } from "../helpers/route-suite";
import { confirmedSession } from "../helpers/sessions";
import { expectDatabaseError } from "../helpers/sql-assertions";
import { unique } from "../helpers/test-database";

const PASSWORD = "the right password, long enough";
const APP_URL = "https://credits.example.test";
const ADMIN = `admin-${unique()}@example.com`;
let n = 0;
const ip = () => `198.51.${Math.floor(n / 200) % 250}.${(n++ % 200) + 1}`;
const jar = () => requestCookieJar(new Request("http://app.test/"));
const withCookie = (token: string | undefined) =>
  new Request("http://app.test/", { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} });
const keyRequest = (key: string) =>
  new Request("http://app.test/api/v1/balance", { headers: { authorization: `Bearer ${key}` } });

async function call(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function signUpAs(address: string) {
  const cookies = jar();
  const outcome = await signUp({ email: address, password: PASSWORD }, { ip: ip(), jar: cookies });
  if (!outcome.ok || !outcome.session) throw new Error(`sign-up failed: ${JSON.stringify(outcome)}`);
  return { userId: outcome.session.userId, token: cookies.written.find((c) => c.name === SESSION_COOKIE)?.value };
}

async function signInAs(address: string, password = PASSWORD) {
  const cookies = jar();
  const outcome = await signIn({ email: address, password }, { ip: ip(), jar: cookies });
  return { outcome, token: cookies.written.find((c) => c.name === SESSION_COOKIE)?.value };
}

describe.each(targets)("API keys are credentials of the account on %s", (target) => {
  const suite = useRouteSuite(target, () => ({ APP_URL, ADMIN_EMAILS: ADMIN }));

  /** A confirmed local account with credits, a browser signed in, and two API keys. */
  async function account(credits = 500) {
    const email = `owner-${unique()}@example.com`;
    const { userId, token } = await signUpAs(email);
    await confirmThroughMailedLink(suite.db, email);
    await grantCreditsForPurchase(suite.db, {
      provider: "stripe",
      externalId: `pi_${unique()}`,
      userId,
      credits,
      amountMinor: 1000,
      currency: "usd",
    });
    const keys = [await createApiKey(suite.db, userId, "backend"), await createApiKey(suite.db, userId, "laptop")];
    return { email, userId, token, keys };
  }

  const revoked = async (userId: string) =>
    (await listApiKeys(suite.db, userId))
      .map((k) => ({ name: k.name, revoked: k.revoked_at !== null, why: k.revoked_reason }))
      .sort((x, y) => x.name.localeCompare(y.name));

  const liveSessions = async (userId: string) =>
    (
      await suite.db.query<{ n: number }>(
        "select count(*)::int as n from public.auth_sessions where user_id = $1 and revoked_at is null",
        [userId],
      )
    )[0].n;

  describe("a password reset", () => {
    it("revokes every key of the account with the new password: the key answers 401 with the reason, the keys page lists it revoked", async () => {
      const owner = await account();
      const bystander = await account();
      expect(await call(balanceRoute(keyRequest(owner.keys[0].key)))).toMatchObject({ status: 200 });

      await requestEmailLink(owner.email, "reset_password", { ip: ip() });
      const link = await latestMailedLink(suite.db, owner.email, "reset-password");
      expect(await resetPassword(link.searchParams.get("token"), "a brand new password!", { ip: ip() })).toMatchObject({
        ok: true,
      });

      for (const { key } of owner.keys) {
        expect(await call(balanceRoute(keyRequest(key)))).toEqual({
          status: 401,
          body: {
            error: "unauthorized",
            reason: "key_revoked",
            revoked_reason: "password_changed",
            message: expect.stringMatching(/password/),
          },
        });
      }
      expect(await revoked(owner.userId)).toEqual([
        { name: "backend", revoked: true, why: "password_changed" },
        { name: "laptop", revoked: true, why: "password_changed" },
      ]);
      expect(await getSessionFromRequest(withCookie(owner.token))).toBeNull();
      expect(await call(balanceRoute(keyRequest(bystander.keys[0].key)))).toMatchObject({ status: 200 });
    });

    it("a spend with the key after the reset is refused and writes nothing, while 40 spends race the reset", async () => {
      const owner = await account(40);
      await requestEmailLink(owner.email, "reset_password", { ip: ip() });
      const token = (await latestMailedLink(suite.db, owner.email, "reset-password")).searchParams.get("token");
      const spend = (i: number) =>
        call(
          spendRoute(
            new Request("http://app.test/api/v1/spend", {
              method: "POST",
              headers: {
                authorization: `Bearer ${owner.keys[0].key}`,
                "idempotency-key": `race-${i}`,
                "content-type": "application/json",
              },
              body: JSON.stringify({ amount: 1 }),
            }),
          ),
        );
      const [reset, ...spends] = await Promise.all([
        resetPassword(token, "another brand new password", { ip: ip() }),
        ...Array.from({ length: 40 }, (_, i) => spend(i)),
      ]);
      expect(reset).toMatchObject({ ok: true });
      expect(spends.every((s) => s.status === 200 || s.status === 401)).toBe(true);
      const spent = spends.filter((s) => s.status === 200).length;
      expect(await balanceOf(suite.db, owner.userId)).toBe(40 - spent);

      const after = await spend(99);
      expect(after).toMatchObject({ status: 401, body: { reason: "key_revoked", revoked_reason: "password_changed" } });
      expect(await balanceOf(suite.db, owner.userId)).toBe(40 - spent);
      expect(await walletsOffLedger(suite.db)).toEqual([]);
    });

    it("Supabase Auth changing the password (auth.users.encrypted_password) revokes every key and session in the same statement", async () => {
      const owner = await account();
      await suite.db.query("update auth.users set encrypted_password = '$2a$10$changedbysupabase' where id = $1", [
        owner.userId,
      ]);
      expect((await revoked(owner.userId)).every((k) => k.revoked && k.why === "password_changed")).toBe(true);
      expect(await liveSessions(owner.userId)).toBe(0);
      expect(await call(balanceRoute(keyRequest(owner.keys[1].key)))).toMatchObject({ status: 401 });
    });

    it("an update that leaves the password as it is (a confirmation, a new e-mail) revokes nothing", async () => {
      const owner = await account();
      await suite.db.query(
        "update auth.users set encrypted_password = encrypted_password, updated_at = now() where id = $1",
        [owner.userId],
      );
      expect((await revoked(owner.userId)).some((k) => k.revoked)).toBe(false);
      expect(await liveSessions(owner.userId)).toBe(1);
    });
  });

  describe("sign out everywhere", () => {
    it("ends every session of the account and revokes its keys; other accounts keep theirs", async () => {
      const owner = await account();
      const phone = await signInAs(owner.email);
      const bystander = await account();

      await signOutEverywhere(requestCookieJar(withCookie(owner.token)));
      expect(await getSessionFromRequest(withCookie(owner.token))).toBeNull();
      expect(await getSessionFromRequest(withCookie(phone.token))).toBeNull();
      expect(await liveSessions(owner.userId)).toBe(0);
      expect(await revoked(owner.userId)).toEqual([
        { name: "backend", revoked: true, why: "signed_out_everywhere" },
        { name: "laptop", revoked: true, why: "signed_out_everywhere" },
      ]);
      expect(await call(balanceRoute(keyRequest(owner.keys[0].key)))).toMatchObject({
        status: 401,
        body: { revoked_reason: "signed_out_everywhere" },
      });
      expect(await getSessionFromRequest(withCookie(bystander.token))).toMatchObject({ email: bystander.email });
      expect(await call(balanceRoute(keyRequest(bystander.keys[0].key)))).toMatchObject({ status: 200 });
      // signing in again works, with a fresh session
      expect((await signInAs(owner.email)).outcome).toMatchObject({ ok: true });
    });
  });

  describe("an admin disabling an account", () => {
    it("stops its sessions and keys at once and refuses its sign-in; enabling it lets it sign in, its keys stay revoked", async () => {
      const admin = await createUser(suite.db, ADMIN);
      await syncAdminEmails(suite.db, [ADMIN]);
      const owner = await account();

      expect(await setAccountDisabled(owner.userId, true, admin)).toMatchObject({ disabled: true });
      expect(await getSessionFromRequest(withCookie(owner.token))).toBeNull();
      expect(await call(balanceRoute(keyRequest(owner.keys[0].key)))).toMatchObject({
        status: 401,
        body: { reason: "key_revoked", revoked_reason: "account_disabled" },
      });
      expect((await signInAs(owner.email)).outcome).toMatchObject({ ok: false, status: 403 });
      expect((await signInAs(owner.email)).token).toBeUndefined();
      await expectDatabaseError(createApiKey(suite.db, owner.userId, "sneaky"), "55000", /disabled/);

      expect(await setAccountDisabled(owner.userId, false, admin)).toMatchObject({ disabled: false });
      expect((await signInAs(owner.email)).outcome).toMatchObject({ ok: true });
      expect((await revoked(owner.userId)).every((k) => k.why === "account_disabled")).toBe(true);
    });

    it("is refused to a non-admin, and to an admin on their own account", async () => {
      const admin = await createUser(suite.db, ADMIN.replace("admin-", "admin2-"));
      await syncAdminEmails(suite.db, [ADMIN, ADMIN.replace("admin-", "admin2-")]);
      const owner = await account();
      const stranger = await account();
      await expectDatabaseError(setAccountDisabled(owner.userId, true, stranger.userId), "42501", /admin/);
      await expectDatabaseError(setAccountDisabled(admin, true, admin), "22023", /own account/);
      expect(await call(balanceRoute(keyRequest(owner.keys[0].key)))).toMatchObject({ status: 200 });
    });
  });

  describe("on Supabase's Postgres", () => {
    it("signing out everywhere and disabling also delete Supabase Auth's own sessions of the account (auth.sessions)", async () => {
      // Supabase's table (its refresh tokens cascade from it); on plain Postgres and PGlite the bootstrap's stand-in
      const admin = await createUser(suite.db, `admin3-${unique()}@example.com`);
      await suite.db.query("update public.profiles set is_admin = true where id = $1", [admin]);
      const [a, b, other] = [await account(), await account(), await account()];
      for (const id of [a.userId, a.userId, b.userId, other.userId]) {
        await suite.db.query("insert into auth.sessions (user_id) values ($1)", [id]);
      }
      const supabaseSessions = async (userId: string) =>
        (
          await suite.db.query<{ n: number }>("select count(*)::int as n from auth.sessions where user_id = $1", [
            userId,
          ])
        )[0].n;

      await signOutEverywhere(requestCookieJar(withCookie(a.token)));
      await setAccountDisabled(b.userId, true, admin);
      expect([await supabaseSessions(a.userId), await supabaseSessions(b.userId)]).toEqual([0, 0]);
      expect(await supabaseSessions(other.userId)).toBe(1);
    });
  });

  describe("creating a key needs a confirmed e-mail", () => {
    it("create_api_key refuses an unconfirmed account (the squatter of issue 26)", async () => {
      const squatter = await signUpAs(`victim-${unique()}@example.com`);
      await expectDatabaseError(createApiKey(suite.db, squatter.userId, "wait for the owner"), "55000", /confirm/);
      expect(await listApiKeys(suite.db, squatter.userId)).toEqual([]);
    });

    it("the server action refuses and the page says why the button is unavailable", async () => {
      const email = `unconfirmed-${unique()}@example.com`;
      const { userId } = await signUpAs(email);
      auth.user = { ...confirmedSession(userId, email), emailConfirmed: false };
      try {
        const form = new FormData();
        form.set("name", "backend");
        expect(await createApiKeyAction({}, form)).toEqual({
          error: expect.stringMatching(/confirm your e-mail/i),
        });
        expect(await listApiKeys(suite.db, userId)).toEqual([]);

        const html = renderToStaticMarkup(await ApiKeysPage({ searchParams: Promise.resolve({}) }));
        expect(html).toMatch(/Confirm your e-mail address to create a key/);
        expect(html).toMatch(/<button[^>]*disabled[^>]*>Create key<\/button>/);
      } finally {
        auth.user = null;
      }
    });
  });
});

describe.each(targets)("Supabase mode: keys and sessions end with the account's access on %s", (target) => {
  let gotrue: FakeGotrue;
  beforeAll(async () => {
    gotrue = await startFakeGotrue();
  });
  const suite = useRouteSuite(target, () => ({
    NEXT_PUBLIC_SUPABASE_URL: gotrue.origin,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key-for-tests",
    SUPABASE_SERVICE_ROLE_KEY: "service-role-key-for-tests",
    APP_URL,
  }));
  afterAll(async () => {
    for (const name of ["NEXT_PUBLIC_SUPABASE_URL", "NEXT_PUBLIC_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY"]) {
      delete process.env[name];
    }
    resetEnvCache();
    await gotrue.close();
  });

  /** A Supabase Auth account (the stand-in) mirrored in auth.users as Supabase keeps it, with a key. */
  async function supabaseAccount() {
    const email = `supa-${unique()}@example.com`;
    const cookies = jar();
    const outcome = await signUp({ email, password: PASSWORD }, { ip: ip(), jar: cookies });
    if (!outcome.ok || !outcome.session) throw new Error("sign-up failed");
    const userId = outcome.session.userId;
    await suite.db.query("insert into auth.users (id, email, email_confirmed_at) values ($1, $2, now())", [
      userId,
      email,
    ]);
    const key = await createApiKey(suite.db, userId, "backend");
    return { email, userId, cookies, key };
  }

  it("sign out everywhere revokes the keys in SQL and signs out globally at Supabase Auth", async () => {
    const owner = await supabaseAccount();
    expect(await signOutEverywhere(owner.cookies)).toBe(true);
    expect(gotrue.logouts).toContain("global");
    expect((await listApiKeys(suite.db, owner.userId))[0]).toMatchObject({ revoked_reason: "signed_out_everywhere" });
  });

  it("an admin's disable bans through Supabase Auth's admin API too: sign-in answers 403, the key 401", async () => {
    const admin = await createUser(suite.db, `supa-admin-${unique()}@example.com`);
    await suite.db.query("update public.profiles set is_admin = true where id = $1", [admin]);
    const owner = await supabaseAccount();
    await setAccountDisabled(owner.userId, true, admin);
    expect(gotrue.banned.has(owner.userId)).toBe(true);
    expect(await signIn({ email: owner.email, password: PASSWORD }, { ip: ip(), jar: jar() })).toMatchObject({
      ok: false,
      status: 403,
      error: expect.stringMatching(/disabled/),
    });
    expect(await call(balanceRoute(keyRequest(owner.key.key)))).toMatchObject({
      status: 401,
      body: { revoked_reason: "account_disabled" },
    });
    await setAccountDisabled(owner.userId, false, admin);
    expect(gotrue.banned.has(owner.userId)).toBe(false);
    expect(await signIn({ email: owner.email, password: PASSWORD }, { ip: ip(), jar: jar() })).toMatchObject({
      ok: true,
    });
  });
});
