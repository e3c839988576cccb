/**
 * The spend benchmark's pieces that need no server (npm run bench -- --spend,
 * scripts/bench/spend*.ts): the minimal route's plain SQL
 * (bench/minimal-route/schema.sql) spends, holds and captures correctly and
 * never overdraws, also with 40 requests at once on one wallet (Postgres);
 * and the checks catch what they are there for: an overdraft, a second debit,
 * a debit nobody asked for, a wrong refusal, a capture that debited nothing.
 * PGlite, and a Postgres server when DATABASE_URL is set.
 */
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgliteDatabase } from "@/lib/db/pglite";
import type { SqlDatabase } from "@/lib/db/port";
import { createPostgresDatabase } from "@/lib/db/postgres";
import { MINIMAL_SCHEMA_SQL } from "../../scripts/bench/minimal-route";
import type { Answer, AnswerBody } from "../../scripts/bench/spend-load";
import {
  demandOf,
  fundingFor,
  generateCaptures,
  generateSpends,
  type Capture,
  type Spend,
  type Spender,
} from "../../scripts/bench/spend-traffic";
import { checkCaptures, checkSpends, checkWallets, minimalTables } from "../../scripts/bench/spend-verify";
import type { Query } from "../../scripts/bench/verify";
import { createServerDatabase, targets } from "../helpers/databases";

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

describe.each(targets)("spend benchmark pieces on %s", (target) => {
  let db: SqlDatabase;
  let drop: () => Promise<void> = async () => {};
  const query: Query = (sql, params) => db.query(sql, params);
  const call = async <T = AnswerBody>(sql: string, params: unknown[]) =>
    (await db.query<{ r: T }>(`select ${sql} as r`, params))[0].r;

  beforeAll(async () => {
    if (target === "postgres") {
      const server = await createServerDatabase();
      drop = server.drop;
      db = createPostgresDatabase({ connectionString: server.url, max: 12 });
    } else {
      db = createPgliteDatabase({ migrate: false });
    }
    await db.exec(MINIMAL_SCHEMA_SQL());
  });
  afterAll(async () => {
    await db.close?.();
    await drop();
  });

  /** A key funded with `credits` in the minimal tables. */
  async function spender(credits: number): Promise<Spender> {
    const s = { userId: randomUUID(), key: `ck_${randomUUID()}` };
    await query("select bench_minimal.fund($1, $2, $3)", [hash(s.key), s.userId, credits]);
    return s;
  }

  /** Sets a spender's funding (wallet and its grant row) once the traffic that decides it is generated. */
  async function fund(userId: string, credits: number): Promise<void> {
    await query("update bench_minimal.credit_wallets set balance = $2 where user_id = $1", [userId, credits]);
    await query("update bench_minimal.credit_ledger set delta = $2 where user_id = $1 and kind = 'grant'", [
      userId,
      credits,
    ]);
  }

  it("minimal SQL: spend once per key, refuse short, never overdraw", async () => {
    const s = await spender(10);
    const spend = (amount: number, key: string) =>
      call("bench_minimal.spend($1, $2, $3, null)", [hash(s.key), amount, key]);
    expect(await spend(6, "a")).toMatchObject({ outcome: "spent", balance: 4 });
    expect(await spend(6, "a")).toMatchObject({ outcome: "duplicate", spent: 6 });
    expect(await spend(5, "a")).toMatchObject({ outcome: "conflict" });
    expect(await spend(5, "b")).toMatchObject({ outcome: "insufficient", balance: 4, available: 4 });
    expect(await call("bench_minimal.spend($1, 1, 'c', null)", [hash("ck_unknown")])).toEqual({
      outcome: "unauthorized",
    });
    const [wallet] = await minimalTables(query).wallets([s.userId]);
    expect(wallet).toEqual({ user_id: s.userId, balance: 4, held: 0, ledger: 4 });
  });

  it("minimal SQL: holds count against what is available; capture spends once and frees the rest", async () => {
    const s = await spender(10);
    const h = await call<{ outcome: string; hold: { id: string } }>(
      "bench_minimal.create_hold($1, 7, 'h1', null, 60)",
      [hash(s.key)],
    );
    expect(h.outcome).toBe("held");
    expect(await call("bench_minimal.create_hold($1, 7, 'h1', null, 60)", [hash(s.key)])).toMatchObject({
      outcome: "duplicate",
      hold: { id: h.hold.id },
    });
    expect(await call("bench_minimal.create_hold($1, 4, 'h2', null, 60)", [hash(s.key)])).toMatchObject({
      outcome: "insufficient",
      available: 3,
    });
    expect(await call("bench_minimal.spend($1, 4, 's', null)", [hash(s.key)])).toMatchObject({
      outcome: "insufficient",
    });
    const capture = (amount: number | null) =>
      call("bench_minimal.capture($1, $2, $3)", [hash(s.key), h.hold.id, amount]);
    expect(await capture(8)).toMatchObject({ outcome: "too_much" });
    expect(await capture(5)).toMatchObject({ outcome: "captured", balance: 5, available: 5 });
    expect(await capture(5)).toMatchObject({ outcome: "duplicate" });
    expect(await call("bench_minimal.capture($1, $2, null)", [hash(s.key), randomUUID()])).toEqual({
      outcome: "not_found",
    });
    const other = await spender(1);
    expect(await call("bench_minimal.capture($1, $2, null)", [hash(other.key), h.hold.id])).toEqual({
      outcome: "not_found",
    });
    expect((await minimalTables(query).debits("capture", [s.userId])).get(h.hold.id)).toEqual({ rows: 1, amount: 5 });
    expect(await minimalTables(query).wallets([s.userId])).toEqual([
      { user_id: s.userId, balance: 5, held: 0, ledger: 5 },
    ]);
  });

  /** Runs `spends` through the minimal SQL (all at once) and returns answers shaped like the HTTP ones. */
  async function spendAll(spends: Spend[]): Promise<Answer<Spend>[]> {
    return Promise.all(
      spends.map(async (item) => {
        const body = await call("bench_minimal.spend($1, $2, $3, null)", [
          hash(item.spender.key),
          item.amount,
          item.idempotencyKey,
        ]);
        return { item, status: body.outcome === "insufficient" ? 402 : 200, body };
      }),
    );
  }

  it("a run of spends one credit short, 40 at once on one wallet, passes the checks; tampering does not", async () => {
    const s = await spender(0);
    const spends = generateSpends({ count: 60, duplicateShare: 0.25, spenders: [s], runTag: "t" });
    const demand = demandOf(spends).get(s.userId)!;
    await fund(s.userId, demand - 1);
    const funded = new Map([[s.userId, demand - 1]]);
    const answers = [...(await spendAll(spends.slice(0, 40))), ...(await spendAll(spends.slice(40)))];
    const tables = minimalTables(query);
    const honest = checkSpends("run", answers, await tables.debits("spend", [s.userId]));
    expect(honest.violations).toEqual([]);
    expect(answers.some((a) => a.status === 402)).toBe(true);
    expect(checkWallets("run", await tables.wallets([s.userId]), funded, honest.spent)).toEqual([]);

    // an answer said "spent" twice for one key, and a 402 that had the credits
    const accepted = answers.find((a) => a.body.outcome === "spent")!;
    const doubled = checkSpends(
      "run",
      [...answers, accepted, { item: { ...accepted.item }, status: 402, body: { balance: 1000, available: 1000 } }],
      await tables.debits("spend", [s.userId]),
    ).violations.join("\n");
    expect(doubled).toMatch(/answered "spent" 2 times/);
    expect(doubled).toMatch(/refused \d+ with 1000 available/);

    // a debit nobody asked for, which overdraws the wallet
    await query(
      "insert into bench_minimal.credit_ledger (user_id, delta, kind, reference) values ($1, -$2::bigint, 'spend', 'x')",
      [s.userId, demand],
    );
    await query("update bench_minimal.credit_wallets set balance = balance - $2 where user_id = $1", [
      s.userId,
      demand,
    ]);
    const debits = await tables.debits("spend", [s.userId]);
    const tampered = checkSpends("run", answers, debits);
    expect(tampered.violations.join("\n")).toMatch(/debit .*:x of \d+ that no request asked for/);
    const wallets = checkWallets("run", await tables.wallets([s.userId]), funded, tampered.spent).join("\n");
    expect(wallets).toMatch(/overdraft: wallet .* at -\d+/);
    expect(wallets).toMatch(/funded less answered spends/);
  });

  it("holds and captures pass the checks; a capture that debited nothing is caught", async () => {
    const spenders = [await spender(0), await spender(0)];
    const holds = generateSpends({ count: 20, duplicateShare: 0.2, spenders, runTag: "c", kind: "hold" });
    const demand = demandOf(holds);
    const funded = new Map(spenders.map((s) => [s.userId, fundingFor(demand.get(s.userId) ?? 0)]));
    for (const s of spenders) await fund(s.userId, funded.get(s.userId)!);
    const holdAnswers: Answer<Spend>[] = [];
    for (const item of holds) {
      const body = await call("bench_minimal.create_hold($1, $2, $3, null, 60)", [
        hash(item.spender.key),
        item.amount,
        item.idempotencyKey,
      ]);
      holdAnswers.push({ item, status: body.outcome === "held" ? 201 : 200, body });
    }
    const captures = generateCaptures(
      [...new Map(holdAnswers.map((a) => [a.body.hold!.id!, a])).values()].map((a) => ({
        spender: a.item.spender,
        holdId: a.body.hold!.id!,
        amount: a.item.amount,
      })),
      0.2,
    );
    const captureAnswers: Answer<Capture>[] = [];
    for (const item of captures) {
      const body = await call("bench_minimal.capture($1, $2, $3)", [hash(item.spender.key), item.holdId, item.amount]);
      captureAnswers.push({ item, status: 200, body });
    }
    const tables = minimalTables(query);
    const ids = spenders.map((s) => s.userId);
    const checked = checkCaptures(
      "c",
      holdAnswers,
      captureAnswers,
      await tables.holds(ids),
      await tables.debits("capture", ids),
    );
    expect(checked.violations).toEqual([]);
    expect(checkWallets("c", await tables.wallets(ids), funded, checked.spent)).toEqual([]);

    const lost = captures[0].holdId;
    await query("delete from bench_minimal.credit_ledger where reference = $1", [lost]);
    const broken = checkCaptures(
      "c",
      holdAnswers,
      captureAnswers,
      await tables.holds(ids),
      await tables.debits("capture", ids),
    );
    expect(broken.violations.join("\n")).toContain(`from ${lost} debited nothing`);
    expect(checkWallets("c", await tables.wallets(ids), funded, checked.spent).join("\n")).toMatch(/its ledger/);
  });
});
