/**
 * Races that only a real server can run: many connections at once. Skipped
 * without DATABASE_URL (PGlite runs one statement at a time).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import {
  balanceOf,
  createUser,
  openTestDatabase,
  serverUrl,
  walletsOffLedger,
  type TestDatabase,
} from "../helpers/databases";
import { unique } from "../helpers/test-database";

const GRANT_SQL = `select public.grant_credits_for_purchase(
  p_provider => $1, p_external_id => $2, p_user_id => $3, p_email => $4,
  p_credits => $5, p_amount_minor => $6, p_currency => 'usd') as r`;

describe.skipIf(!serverUrl)("concurrency on a Postgres server", () => {
  let t: TestDatabase;
  let clients: pg.Client[] = [];

  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    clients = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const client = new pg.Client({ connectionString: t.url });
        await client.connect();
        return client;
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await t?.drop();
  });

  const count = async (sql: string, params: unknown[]) => (await t.db.query<{ n: number }>(sql, params))[0].n;

  it("grants once when 50 connections race on one payment", async () => {
    const user = await createUser(t.db, `race-${unique()}@example.com`);
    const externalId = `pi_${unique()}`;
    const results = await Promise.all(
      clients.map(
        async (c) =>
          (await c.query<{ r: { outcome: string } }>(GRANT_SQL, ["stripe", externalId, user, null, 100, 1000])).rows[0]
            .r,
      ),
    );
    const outcomes = results.map((r) => r.outcome).sort();
    expect(outcomes.filter((o) => o === "granted")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(49);
    expect(await balanceOf(t.db, user)).toBe(100);
    expect(await count("select count(*)::int as n from public.purchases where external_id = $1", [externalId])).toBe(1);
    expect(await count("select count(*)::int as n from public.credit_ledger where user_id = $1", [user])).toBe(1);
  });

  it("files one pending grant when 50 connections race on one payment by an unknown e-mail", async () => {
    const email = `race-pending-${unique()}@example.com`;
    const externalId = `pi_${unique()}`;
    const results = await Promise.all(
      clients.map(
        async (c) =>
          (await c.query<{ r: { outcome: string } }>(GRANT_SQL, ["paystack", externalId, null, email, 100, 1000]))
            .rows[0].r,
      ),
    );
    expect(results.filter((r) => r.outcome === "pending")).toHaveLength(1);
    expect(await count("select count(*)::int as n from public.pending_credit_grants where email = $1", [email])).toBe(
      1,
    );
    const user = await createUser(t.db, email);
    expect(await balanceOf(t.db, user)).toBe(100);
  });

  it("keeps the balance equal to the ledger under concurrent grants, refunds, disputes and spends on one wallet", async () => {
    const user = await createUser(t.db, `busy-${unique()}@example.com`);
    const payments = Array.from({ length: 10 }, () => `pi_${unique()}`);
    // a head start so spends have something to take
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: payments[0],
      userId: user,
      credits: 1000,
      amountMinor: 1000,
      currency: "usd",
    });

    const jobs: Array<(c: pg.Client) => Promise<unknown>> = [];
    for (const p of payments) {
      for (let k = 0; k < 2; k++) jobs.push((c) => c.query(GRANT_SQL, ["stripe", p, user, null, 1000, 1000]));
      for (const refunded of [100, 300, 300, 600]) {
        jobs.push((c) =>
          c.query("select public.reverse_purchase_credits('stripe', $1, 'refund', $2, $3)", [p, `ch_${p}`, refunded]),
        );
      }
    }
    for (const p of payments.slice(0, 4)) {
      jobs.push((c) => c.query("select public.reverse_purchase_credits('stripe', $1, 'dispute', 'dp_1')", [p]));
      jobs.push((c) =>
        c.query("select public.reverse_purchase_credits('stripe', $1, 'dispute_reinstated', 'dp_1')", [p]),
      );
    }
    for (let i = 0; i < 40; i++) {
      const key = `spend-${i % 25}`; // some keys twice: at most one spend each
      jobs.push((c) => c.query("select public.spend_credits($1, 50, $2)", [user, key]));
    }
    shuffle(jobs);

    const queue = [...jobs];
    const refusals: string[] = [];
    await Promise.all(
      clients.map(async (c) => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          // expected refusals: a refund before its purchase, an overdraw, a reinstatement racing its dispute
          await job(c).catch((e: { code?: string; message: string }) => refusals.push(`${e.code} ${e.message}`));
        }
      }),
    );
    for (const r of refusals) expect(r).toMatch(/^(P0002 purchase not found|P0001 insufficient credits)/);

    expect(await walletsOffLedger(t.db)).toEqual([]);
    expect(await count("select count(*)::int as n from public.purchases where user_id = $1", [user])).toBe(
      payments.length,
    );
    expect(
      await count("select count(*)::int as n from public.credit_ledger where user_id = $1 and kind = 'purchase'", [
        user,
      ]),
    ).toBe(payments.length);
    const spends = await t.db.query<{ reference: string; n: number }>(
      "select reference, count(*)::int as n from public.credit_ledger where user_id = $1 and kind = 'spend' group by 1",
      [user],
    );
    expect(spends.length).toBeGreaterThan(0);
    expect(spends.every((s) => s.n === 1)).toBe(true);
    // every purchase's net ledger effect matches what the purchase row says was taken back
    const off = await t.db.query(
      `select p.external_id from public.purchases p
        where p.user_id = $1
          and p.credits - p.refunded_credits - p.disputed_credits
              <> (select coalesce(sum(l.delta), 0) from public.credit_ledger l where l.purchase_id = p.id)`,
      [user],
    );
    expect(off).toEqual([]);
  });

  it("credits once when a sign-up commits while a grant for the same e-mail is running", async () => {
    const email = `signup-first-${unique()}@example.com`;
    const [signup, payment] = clients;
    await signup.query("begin");
    try {
      const {
        rows: [{ id: user }],
      } = await signup.query<{ id: string }>(
        "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
        [email.toUpperCase()],
      );
      // the grant starts while the sign-up has not committed yet
      const granting = payment.query<{ r: { outcome: string } }>(GRANT_SQL, [
        "stripe",
        `pi_${unique()}`,
        null,
        email,
        100,
        1000,
      ]);
      await sleep(200);
      await signup.query("commit");
      await granting;
      expect(await balanceOf(t.db, user)).toBe(100);
    } catch (error) {
      await signup.query("rollback").catch(() => {});
      throw error;
    }
  });

  it("credits once when a grant commits while a sign-up for the same e-mail is running", async () => {
    const email = `grant-first-${unique()}@example.com`;
    const [payment, signup] = clients;
    await payment.query("begin");
    try {
      await payment.query(GRANT_SQL, ["stripe", `pi_${unique()}`, null, email, 100, 1000]);
      const signingUp = signup.query<{ id: string }>(
        "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
        [email],
      );
      await sleep(200);
      await payment.query("commit");
      const {
        rows: [{ id: user }],
      } = await signingUp;
      expect(await balanceOf(t.db, user)).toBe(100);
    } catch (error) {
      await payment.query("rollback").catch(() => {});
      throw error;
    }
  });

  it("credits each of 25 buyers exactly once when their sign-ups race their payments", async () => {
    const buyers = Array.from({ length: 25 }, () => ({
      email: `racer-${unique()}@example.com`,
      externalId: `pi_${unique()}`,
    }));
    await Promise.all(
      buyers.flatMap((b, i) => [
        clients[2 * i].query(GRANT_SQL, ["stripe", b.externalId, null, b.email, 100, 1000]),
        clients[2 * i + 1].query("insert into auth.users (email, email_confirmed_at) values ($1, now())", [
          b.email.toUpperCase(),
        ]),
      ]),
    );
    const rows = await t.db.query<{ email: string; balance: string; credited: number }>(
      `select p.email, w.balance::text,
              (select count(*)::int from public.credit_ledger l where l.user_id = p.id and l.kind in ('purchase', 'claim')) as credited
         from public.profiles p join public.wallets w on w.user_id = p.id
        where lower(p.email) = any($1::text[]) order by 1`,
      [buyers.map((b) => b.email)],
    );
    expect(rows).toHaveLength(25);
    expect(rows.filter((r) => r.balance !== "100" || r.credited !== 1)).toEqual([]);
  });

  it("credits a sign-up once while refunds race the claim of its pending purchase", async () => {
    const email = `refund-race-${unique()}@example.com`;
    const payments = Array.from({ length: 10 }, () => `pi_${unique()}`);
    for (const p of payments) {
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: p,
        email,
        credits: 100,
        amountMinor: 1000,
        currency: "usd",
      });
    }
    const [signup, ...refunders] = clients;
    const results = await Promise.allSettled([
      signup.query<{ id: string }>(
        "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
        [email],
      ),
      ...payments.map((p, i) =>
        refunders[i].query("select public.reverse_purchase_credits('stripe', $1, 'refund', $2, 500)", [p, `ch_${p}`]),
      ),
    ]);
    const failures = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => String(r.reason));
    expect(failures).toEqual([]);
    const [{ id: user }] = await t.db.query<{ id: string }>("select id from public.profiles where email = $1", [email]);
    expect(await balanceOf(t.db, user)).toBe(500);
    expect(await walletsOffLedger(t.db)).toEqual([]);
  });
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
