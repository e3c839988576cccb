/**
 * The verification link asks before it confirms (issue 26, item 7). Someone
 * signs up with another person's address; the owner of the mailbox receives
 * a mail they did not ask for. Opening its link (GET) confirms nothing: the
 * page says which address and which account it would confirm, and asks for a
 * click. "This wasn't me" deletes the unconfirmed account with its sessions
 * and keys, so the address stays its owner's; an account that already holds
 * payments is closed instead (disabled, keys and sessions revoked, address
 * released) so that no payment record is lost.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

const auth = vi.hoisted(() => ({ user: null as unknown }));
vi.mock("@/lib/auth", async (original) => ({
  ...(await original<typeof import("@/lib/auth")>()),
  getSession: async () => auth.user,
}));

import { GET as balanceRoute } from "@/app/api/v1/balance/route";
import VerifyEmailPage from "@/app/(site)/verify-email/page";
import {
  disownAccount,
  getSessionFromRequest,
  requestCookieJar,
  requestEmailLink,
  resetPassword,
  signIn,
  signUp,
  verifyEmail,
} from "@/lib/auth";
import { SESSION_COOKIE } from "@/lib/auth/claims";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { balanceOf, targets, walletsOffLedger } from "../helpers/databases";
import { latestMailedLink } from "../helpers/mail";
import { useRouteSuite } from "../helpers/route-suite";
import { unique } from "../helpers/test-database";

const PASSWORD = "the squatter's password, long";
const APP_URL = "https://credits.example.test";
let n = 0;
const ip = () => `192.0.2.${(n++ % 250) + 1}`;
const withCookie = (token: string | undefined) =>
  new Request("http://app.test/", { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} });

describe.each(targets)("the verification link asks before it confirms on %s", (target) => {
  const suite = useRouteSuite(target, () => ({ APP_URL }));

  /** A squatter signs up with the victim's address; returns the account, its session cookie and the mailed token. */
  async function squat(email = `victim-${unique()}@example.com`) {
    const cookies = requestCookieJar(new Request("http://app.test/"));
    const outcome = await signUp({ email, password: PASSWORD }, { ip: ip(), jar: cookies });
    if (!outcome.ok || !outcome.session) throw new Error("sign-up failed");
    const token = (await latestMailedLink(suite.db, email, "verify-email")).searchParams.get("token")!;
    return {
      email,
      userId: outcome.session.userId,
      session: cookies.written.find((c) => c.name === SESSION_COOKIE)?.value,
      token,
    };
  }

  const account = async (userId: string) =>
    (
      await suite.db.query<{ email: string; confirmed: boolean; disabled: boolean }>(
        "select email, email_confirmed_at is not null as confirmed, coalesce(banned_until > now(), false) as disabled from auth.users where id = $1",
        [userId],
      )
    )[0];

  const page = async (token: string) =>
    renderToStaticMarkup(await VerifyEmailPage({ searchParams: Promise.resolve({ token }) }));

  it("opening the link confirms nothing: the page names the address and the account, and asks for a click", async () => {
    const s = await squat();
    const html = await page(s.token);
    expect(await account(s.userId)).toMatchObject({ confirmed: false });
    expect(html).toContain(s.email);
    expect(html).toMatch(/Account created/);
    expect(html).toMatch(/<button[^>]*>Yes, this is my account<\/button>/);
    expect(html).toMatch(/This wasn(&#x27;|')t me/);
    // a second look (a mail scanner, a preview) changes nothing either
    await page(s.token);
    expect(await account(s.userId)).toMatchObject({ confirmed: false });

    expect(await verifyEmail(s.token)).toMatchObject({ ok: true }); // the click
    expect(await account(s.userId)).toMatchObject({ confirmed: true });
  });

  it("'This wasn't me' deletes the unconfirmed account with its sessions and keys; the address stays its owner's", async () => {
    const s = await squat();
    // a key made before keys needed a confirmed address (the SQL refuses new ones now)
    await suite.db.query(
      "insert into public.api_keys (user_id, name, prefix, key_hash) values ($1, 'old', 'ck_00000000', public.api_key_hash($2))",
      [s.userId, `ck_${"a".repeat(64)}`],
    );
    // credits bought with the address wait for its confirmed owner, never for the squatter
    await grantCreditsForPurchase(suite.db, {
      provider: "stripe",
      externalId: `cs_${unique()}`,
      email: s.email,
      credits: 300,
      amountMinor: 1500,
      currency: "usd",
    });

    expect(await disownAccount(s.token)).toMatchObject({ ok: true, outcome: "deleted" });
    expect(await account(s.userId)).toBeUndefined();
    expect(await getSessionFromRequest(withCookie(s.session))).toBeNull();
    const key = await balanceRoute(
      new Request("http://app.test/api/v1/balance", { headers: { authorization: `Bearer ck_${"a".repeat(64)}` } }),
    );
    expect(key.status).toBe(401);
    for (const table of ["profiles where id = $1", "wallets where user_id = $1", "api_keys where user_id = $1"]) {
      expect((await suite.db.query(`select 1 from public.${table}`, [s.userId])).length).toBe(0);
    }
    expect(
      await suite.db.query("select credits::int, claimed_at from public.pending_credit_grants where email = $1", [
        s.email,
      ]),
    ).toEqual([{ credits: 300, claimed_at: null }]);

    // the link is spent, and the owner signs up with their address and gets what was bought with it
    expect(await disownAccount(s.token)).toMatchObject({ ok: false });
    const owner = await squat(s.email);
    expect(await verifyEmail(owner.token)).toMatchObject({ ok: true });
    expect(await balanceOf(suite.db, owner.userId)).toBe(300);
  });

  it("an account that holds payments is closed, not deleted: disabled, keys and sessions revoked, address released, records kept", async () => {
    const s = await squat();
    await grantCreditsForPurchase(suite.db, {
      provider: "stripe",
      externalId: `pi_${unique()}`,
      userId: s.userId, // bought from the squatter's own wallet: the payment is theirs
      credits: 100,
      amountMinor: 500,
      currency: "usd",
    });

    expect(await disownAccount(s.token)).toMatchObject({ ok: true, outcome: "closed" });
    const closed = await account(s.userId);
    expect(closed).toMatchObject({ confirmed: false, disabled: true });
    expect(closed.email).not.toBe(s.email);
    expect(await getSessionFromRequest(withCookie(s.session))).toBeNull();
    expect(await balanceOf(suite.db, s.userId)).toBe(100); // kept for the record (and a refund)
    expect(
      (
        await suite.db.query<{ disabled_reason: string }>("select disabled_reason from public.profiles where id = $1", [
          s.userId,
        ])
      )[0].disabled_reason,
    ).toContain(s.email);
    const jar = requestCookieJar(new Request("http://app.test/"));
    expect((await signIn({ email: s.email, password: PASSWORD }, { ip: ip(), jar })).ok).toBe(false);

    const owner = await squat(s.email); // the address is free again
    expect(await verifyEmail(owner.token)).toMatchObject({ ok: true });
    expect(await walletsOffLedger(suite.db)).toEqual([]);
  });

  it("needs the live link: a made-up, used or expired token changes nothing, and a confirmed account is never deleted", async () => {
    expect(await disownAccount("A".repeat(43))).toMatchObject({ ok: false, status: 400 });

    const expired = await squat();
    await suite.db.query(
      "update public.auth_email_tokens set expires_at = now() - interval '1 second' where user_id = $1",
      [expired.userId],
    );
    expect(await disownAccount(expired.token)).toMatchObject({ ok: false, status: 410 });
    expect(await account(expired.userId)).toBeDefined();

    // confirmed through a password reset (which proves the mailbox too): its verification link no longer deletes it
    const confirmed = await squat();
    await requestEmailLink(confirmed.email, "reset_password", { ip: ip() });
    const reset = (await latestMailedLink(suite.db, confirmed.email, "reset-password")).searchParams.get("token");
    expect(await resetPassword(reset, "the owner's new password", { ip: ip() })).toMatchObject({ ok: true });
    expect(await disownAccount(confirmed.token)).toMatchObject({ ok: false });
    expect(await account(confirmed.userId)).toMatchObject({ confirmed: true });
  });

  it("20 confirmations and 20 'wasn't me' at once on one link: exactly one wins, the other 39 change nothing", async () => {
    const s = await squat();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? verifyEmail(s.token) : disownAccount(s.token))),
    );
    const winners = outcomes.flatMap((o, i) => (o.ok ? [i % 2 === 0 ? "confirmed" : "deleted"] : []));
    expect(winners).toHaveLength(1);
    const state = await account(s.userId);
    if (winners[0] === "confirmed") expect(state).toMatchObject({ confirmed: true });
    else expect(state).toBeUndefined();
  });
});
