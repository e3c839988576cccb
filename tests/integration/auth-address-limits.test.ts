/**
 * Sign-in limits by network, not by literal address (SPEC §7; issue 26 item
 * 5). Anyone with one IPv6 /64 (what a single home or server gets) has 2^64
 * addresses: each guess from a new one used to get a fresh allowance. An IPv6
 * address now counts as its /64 and an IPv4-mapped one as its IPv4, through
 * the same SQL every entry point uses. A stranger still cannot lock the owner
 * out, and guesses spread over many networks slow the account down (a growing
 * delay before each attempt) without ever refusing the owner.
 */
import { describe, expect, it } from "vitest";
import { requestCookieJar, signIn, signUp } from "@/lib/auth";
import { reserveLoginAttempt } from "@/lib/db/rpc/local-accounts";
import { targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { unique } from "../helpers/test-database";

const PASSWORD = "the owner's password, long enough";
const jar = () => requestCookieJar(new Request("http://app.test/"));
const status = (o: { ok: boolean; status?: number }) => (o.ok ? 200 : o.status);

describe.each(targets)("sign-in limits by network on %s", (target) => {
  useRouteSuite(target, () => ({ APP_URL: "https://credits.example.test" }));
  let net = 0;
  /** A fresh IPv6 /64 for each test (2001:db8:<n>::/64), so tests do not share counters. */
  const network = () => `2001:db8:${(++net).toString(16)}:${unique().slice(0, 4)}`;

  async function owner() {
    const email = `owner-${unique()}@example.com`;
    const outcome = await signUp({ email, password: PASSWORD }, { ip: `198.18.0.${(net % 250) + 1}`, jar: jar() });
    if (!outcome.ok) throw new Error(outcome.error);
    return email;
  }
  const attempt = (email: string, password: string, ip: string) => signIn({ email, password }, { ip, jar: jar() });

  it("30 wrong passwords from 30 addresses of one IPv6 /64 are limited after 10, as from one address", async () => {
    const email = await owner();
    const prefix = network();
    const outcomes = [];
    for (let i = 1; i <= 30; i++)
      outcomes.push(status(await attempt(email, `wrong password number ${i}`, `${prefix}::${i.toString(16)}`)));
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(outcomes.slice(10)).toEqual(Array(20).fill(429));
    // the right password from that /64 waits too: the network is limited, not one address
    expect(status(await attempt(email, PASSWORD, `${prefix}:ffff:ffff:ffff:ffff`))).toBe(429);
  });

  it("keeps 'a stranger cannot lock the owner out': the owner in another /64 signs in", async () => {
    const email = await owner();
    const stranger = network();
    for (let i = 1; i <= 12; i++) await attempt(email, `wrong password number ${i}`, `${stranger}::${i}`);
    expect(status(await attempt(email, PASSWORD, `${network()}::1`))).toBe(200);
  });

  it("an IPv4-mapped IPv6 address counts as its IPv4", async () => {
    const email = await owner();
    const ipv4 = `203.0.113.${(net % 200) + 20}`;
    net += 1;
    for (let i = 1; i <= 10; i++)
      expect(status(await attempt(email, `wrong password number ${i}`, `::ffff:${ipv4}`))).toBe(401);
    expect(status(await attempt(email, "wrong password again", ipv4))).toBe(429);
    expect(status(await attempt(email, "wrong password once more", `::FFFF:${ipv4}`))).toBe(429);
  });

  it("limits one /64 across accounts (50 failures), whatever addresses it uses", async () => {
    const prefix = network();
    const outcomes = [];
    for (let i = 1; i <= 51; i++) {
      outcomes.push(
        status(await attempt(`nobody-${unique()}@example.com`, "a guessed password", `${prefix}::${i.toString(16)}`)),
      );
    }
    expect(outcomes.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(outcomes[50]).toBe(429);
  });

  it("guesses from 40 networks at once slow the account down, and never lock the owner out", async () => {
    const email = await owner();
    const networks = Array.from({ length: 40 }, () => network());
    const burst = await Promise.all(
      networks.map((prefix, i) => attempt(email, `wrong password number ${i}`, `${prefix}::1`)),
    );
    expect(burst.every((o) => status(o) === 401)).toBe(true); // each network is far below its own limit

    // the next attempt for this account, from anywhere, waits (the 41st failure: 4 s) …
    const next = await reserveLoginAttempt((await import("@/lib/db")).getDb(), email, `${network()}::1`);
    expect(next).toMatchObject({ allowed: true, delay_ms: 4000 });
    // … and the owner, from a network never seen, still gets in: slowed, not refused
    const started = performance.now();
    expect(status(await attempt(email, PASSWORD, `${network()}::1`))).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(3_900);
    // another account is not slowed at all
    const other = await owner();
    const quick = performance.now();
    expect(status(await attempt(other, PASSWORD, `${network()}::1`))).toBe(200);
    expect(performance.now() - quick).toBeLessThan(1_500);
  }, 30_000);
});
