/**
 * The sign-in rate limit (lib/auth, counters in Postgres) under a burst: 200
 * concurrent attempts on one account from 200 addresses, as a credential-
 * stuffing tool sends them. The limit must hold for the burst as a whole: at
 * most the allowed number of passwords get a verdict, and the right password
 * hidden in the burst does not get in once the limit is spent; the right
 * password still gets in where the burst did not aim.
 */
import { describe, expect, it } from "vitest";
import { requestCookieJar, signIn, signUp } from "@/lib/auth";
import { targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";

const PASSWORD = "the right password, long enough";
const MAX_PER_EMAIL = 10; // the SQL default of auth_login_attempt
const jar = () => requestCookieJar(new Request("http://app.test/"));

describe.each(targets)("sign-in rate limit under a burst of 200 on %s", (target) => {
  useRouteSuite(target, () => ({ AUTH_SECRET: "burst-test-auth-secret-0123456789abcdef" }));

  const attempt = (email: string, password: string, i: number) =>
    signIn({ email, password }, { ip: `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`, jar: jar() });

  it("gives at most the allowed number of wrong passwords a verdict, and locks the account afterwards", async () => {
    const email = `burst-${target}@example.com`;
    expect((await signUp({ email, password: PASSWORD }, jar())).ok).toBe(true);

    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(email, `wrong password ${i}`, i)));
    const statuses = outcomes.map((o) => (o.ok ? 200 : o.status));
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_PER_EMAIL);

    const after = await attempt(email, PASSWORD, 500);
    expect(after).toMatchObject({ ok: false, status: 429 });

    // A limiter that refused everyone would pass the lines above: the right password of an
    // account the burst did not aim at still gets in, from a fresh address, right after it.
    const bystander = `burst-bystander-${target}@example.com`;
    expect((await signUp({ email: bystander, password: PASSWORD }, jar())).ok).toBe(true);
    expect(await attempt(bystander, PASSWORD, 600)).toMatchObject({ ok: true });
  });

  /*
   * Contract (SPEC §7): limits per IP and per (e-mail, IP), "without letting a stranger lock the
   * owner out". Today's per-e-mail counter does lock the owner out (issue 11, hole 5), so this is
   * expected to fail until that lands; then `it.fails` reports it and it becomes a plain `it`.
   */
  it.fails("lets the owner in with the right password from their own address after a stranger's burst", async () => {
    const email = `burst-owner-${target}@example.com`;
    expect((await signUp({ email, password: PASSWORD }, jar())).ok).toBe(true);
    await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(email, `wrong password ${i}`, 2000 + i)));
    expect(await attempt(email, PASSWORD, 3000)).toMatchObject({ ok: true });
  });

  /*
   * Attempts are reserved atomically before the password is checked
   * (auth_login_attempt), so only the first MAX_PER_EMAIL of a simultaneous
   * burst are evaluated at all.
   */
  it("does not let the right password in when it is hidden among 199 wrong ones sent at once", async () => {
    const email = `burst-hidden-${target}@example.com`;
    expect((await signUp({ email, password: PASSWORD }, jar())).ok).toBe(true);
    const hiddenAt = 150;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => attempt(email, i === hiddenAt ? PASSWORD : `wrong password ${i}`, 1000 + i)),
    );
    const verdicts = outcomes.filter((o) => o.ok || o.status === 401).length;
    expect(outcomes[hiddenAt].ok).toBe(false);
    expect(verdicts).toBeLessThanOrEqual(MAX_PER_EMAIL);
    expect(verdicts).toBeGreaterThan(0); // the first attempts of the burst were evaluated, not all refused
  });
});
