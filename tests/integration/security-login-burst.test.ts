/**
 * The sign-in rate limit (lib/auth, counters in Postgres) under a burst: 200
 * concurrent attempts on one account from one address, as a guessing tool
 * sends them. The limit must hold for the burst as a whole: at most the
 * allowed number of passwords get a verdict, and the right password hidden in
 * the burst does not get in once the limit is spent. The owner, signing in
 * from anywhere else, is never locked out by it.
 */
import { describe, expect, it } from "vitest";
import { requestCookieJar, signIn, signUp } from "@/lib/auth";
import { targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";

const PASSWORD = "the right password, long enough";
const MAX_PER_EMAIL = 10; // the SQL default of auth_login_attempt, per (e-mail, IP)
const ATTACKER = "198.18.0.1";
const jar = () => requestCookieJar(new Request("http://app.test/"));

describe.each(targets)("sign-in rate limit under a burst of 200 on %s", (target) => {
  useRouteSuite(target, () => ({ AUTH_SECRET: "burst-test-auth-secret-0123456789abcdef" }));

  const attempt = (email: string, password: string, ip = ATTACKER) => signIn({ email, password }, { ip, jar: jar() });

  it("gives at most the allowed number of wrong passwords a verdict, and locks that address out, not the owner", async () => {
    const email = `burst-${target}@example.com`;
    expect((await signUp({ email, password: PASSWORD }, { ip: "192.0.2.1", jar: jar() })).ok).toBe(true);

    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => attempt(email, `wrong password ${i}`)));
    const statuses = outcomes.map((o) => (o.ok ? 200 : o.status));
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_PER_EMAIL);

    expect(await attempt(email, PASSWORD)).toMatchObject({ ok: false, status: 429 });
    expect(await attempt(email, PASSWORD, "192.0.2.99")).toMatchObject({ ok: true });
  });

  /*
   * Attempts are reserved atomically before the password is checked
   * (auth_login_attempt), so only the first MAX_PER_EMAIL of a simultaneous
   * burst from one address are evaluated at all.
   */
  it("does not let the right password in when it is hidden among 199 wrong ones sent at once", async () => {
    const email = `burst-hidden-${target}@example.com`;
    expect((await signUp({ email, password: PASSWORD }, { ip: "192.0.2.2", jar: jar() })).ok).toBe(true);
    const hiddenAt = 150;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => attempt(email, i === hiddenAt ? PASSWORD : `wrong password ${i}`)),
    );
    const verdicts = outcomes.filter((o) => o.ok || o.status === 401).length;
    expect(outcomes[hiddenAt].ok).toBe(false);
    expect(verdicts).toBeLessThanOrEqual(MAX_PER_EMAIL);
  });
});
