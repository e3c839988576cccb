/**
 * Group commit of the API's writes (lib/db/group-commit.ts, api_key_writes): spends and hold writes that
 * wait behind a running call go to the database together, one transaction and one commit, and every money
 * rule of a lone call still holds for each of them — the attacks here are bursts of 40 against one wallet.
 */
import { describe, expect, it } from "vitest";
import { DatabaseError } from "@/lib/db/errors";
import type { Database, RpcArgs, RpcOptions } from "@/lib/db/port";
import { createApiKey, spendCreditsWithApiKey, type RateLimit } from "@/lib/db/rpc/api-keys";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import {
  captureHoldWithApiKey,
  createHoldWithApiKey,
  creditInvariantViolations,
  releaseHoldWithApiKey,
} from "@/lib/db/rpc/holds";
import { hashApiKey } from "@/lib/spend-api/api-key";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { rpcUnchecked } from "../helpers/rpc-unchecked";
import { unique, useTestDatabase } from "../helpers/test-database";

/** The test database behind a recorder of the calls made through it (a fresh batcher per spy). */
function spy(db: Database) {
  const calls: { name: string; calls: number; fns: string[] }[] = [];
  const wrapped: Database = {
    mode: db.mode,
    rpc(name: string, args?: RpcArgs, options?: RpcOptions) {
      if (name === "api_key_writes") {
        const sent = JSON.parse(String(args?.p_calls)) as { fn: string }[];
        calls.push({ name, calls: sent.length, fns: sent.map((c) => c.fn) });
      } else {
        calls.push({ name, calls: 1, fns: [name] });
      }
      return rpcUnchecked(db, name, args, options);
    },
    close: () => db.close(),
  };
  return { db: wrapped, calls };
}

const rate: RateLimit = { limit: 10_000, windowSeconds: 60 };

describe.each(targets)("group commit of API writes on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });

  async function fundedKey(credits: number) {
    const userId = await createUser(t.db, `writes-${unique()}@example.com`);
    if (credits > 0) {
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: `pi_w_${unique()}`,
        userId,
        credits,
        amountMinor: 100,
        currency: "usd",
      });
    }
    const { key } = await createApiKey(t.db, userId, "batch key");
    return { userId, keyHash: hashApiKey(key) };
  }
  const spend = (db: Database, keyHash: string, amount: number, idempotencyKey = unique(), limit = rate) =>
    spendCreditsWithApiKey(db, { keyHash, amount, idempotencyKey, reason: "batch", rate: limit });
  const ledgerCount = async (userId: string, kind: string) =>
    (
      await t.db.query<{ n: number }>(
        "select count(*)::int as n from public.credit_ledger where user_id = $1 and kind = $2",
        [userId, kind],
      )
    )[0].n;
  /** How many calls a burst went in: PGlite sends a whole event-loop turn together, a server the first alone. */
  const sentIn = (calls: { calls: number }[]) => calls.reduce((n, c) => n + c.calls, 0);

  it("lets exactly as many of 40 concurrent spends through as the balance pays for, in fewer database calls", async () => {
    const w = await fundedKey(250);
    const { db, calls } = spy(t.db);
    const results = await Promise.all(Array.from({ length: 40 }, () => spend(db, w.keyHash, 10)));
    expect(results.filter((r) => r.outcome === "spent")).toHaveLength(25);
    expect(results.filter((r) => r.outcome === "insufficient")).toHaveLength(15);
    expect(await balanceOf(t.db, w.userId)).toBe(0);
    expect(await ledgerCount(w.userId, "spend")).toBe(25);
    // Each answer is the balance after its own spend: 25 distinct balances from 240 down to 0.
    const balances = results.filter((r) => r.outcome === "spent").map((r) => ("balance" in r ? r.balance : -1));
    expect(new Set(balances).size).toBe(25);
    expect(Math.min(...balances)).toBe(0);
    expect(sentIn(calls)).toBe(40);
    expect(calls.some((c) => c.name === "api_key_writes")).toBe(true);
    expect(calls.length).toBeLessThanOrEqual(6);
    expect(calls.every((c) => c.calls <= 16)).toBe(true);
    expect(await creditInvariantViolations(t.db)).toEqual([]);
  });

  it("spends once when 40 retries of one Idempotency-Key arrive together, and 409s another amount in the same batch", async () => {
    const w = await fundedKey(100);
    const { db } = spy(t.db);
    const results = await Promise.all([
      ...Array.from({ length: 39 }, () => spend(db, w.keyHash, 7, "same-key")),
      spend(db, w.keyHash, 8, "same-key"),
    ]);
    expect(results.filter((r) => r.outcome === "spent")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(38);
    expect(results[39].outcome).toBe("conflict");
    expect(await balanceOf(t.db, w.userId)).toBe(93);
  });

  it("keeps 40 keys of 8 wallets apart in one burst: each wallet pays only its own spends", async () => {
    const wallets = await Promise.all(Array.from({ length: 8 }, () => fundedKey(30)));
    const { db } = spy(t.db);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => spend(db, wallets[i % 8].keyHash, 10)));
    for (const [i, w] of wallets.entries()) {
      const own = results.filter((_, j) => j % 8 === i);
      expect(own.filter((r) => r.outcome === "spent")).toHaveLength(3);
      expect(own.filter((r) => r.outcome === "insufficient")).toHaveLength(2);
      expect(await balanceOf(t.db, w.userId)).toBe(0);
    }
  });

  it("holds, captures, releases and spends of one wallet in one burst keep every hold rule", async () => {
    const w = await fundedKey(100);
    const first = await createHoldWithApiKey(t.db, w.keyHash, { amount: 40, idempotencyKey: unique() }, rate);
    const second = await createHoldWithApiKey(t.db, w.keyHash, { amount: 20, idempotencyKey: unique() }, rate);
    if (first.outcome !== "held" || second.outcome !== "held") throw new Error("holds not made");
    const firstId = first.hold!.id;
    const secondId = second.hold!.id;
    const { db, calls } = spy(t.db);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => captureHoldWithApiKey(db, w.keyHash, { holdId: firstId, amount: 25 }, rate)),
      ...Array.from({ length: 10 }, () => releaseHoldWithApiKey(db, w.keyHash, secondId, rate)),
      ...Array.from({ length: 10 }, () => captureHoldWithApiKey(db, w.keyHash, { holdId: secondId }, rate)),
      ...Array.from({ length: 10 }, () => spend(db, w.keyHash, 10)),
    ]);
    const captures = results.slice(0, 10);
    expect(captures.filter((r) => r.outcome === "captured")).toHaveLength(1);
    expect(captures.filter((r) => r.outcome === "duplicate")).toHaveLength(9);
    // the second hold ends once: released or captured, whichever came first; the other side is refused
    const releases = results.slice(10, 20).map((r) => r.outcome);
    const secondCaptures = results.slice(20, 30).map((r) => r.outcome);
    const released = releases.includes("released");
    const captured = secondCaptures.includes("captured");
    expect(released !== captured).toBe(true);
    const spent = results.slice(30).filter((r) => r.outcome === "spent").length;
    const spentOnSecond = captured ? 20 : 0;
    expect(await balanceOf(t.db, w.userId)).toBe(100 - 25 - spentOnSecond - spent * 10);
    expect(await balanceOf(t.db, w.userId)).toBeGreaterThanOrEqual(0);
    expect(await ledgerCount(w.userId, "capture")).toBe(captured ? 2 : 1);
    expect(sentIn(calls)).toBe(40);
    expect(calls.some((c) => c.name === "api_key_writes" && new Set(c.fns).size > 1)).toBe(true);
    expect(await creditInvariantViolations(t.db)).toEqual([]);
  });

  it("lets exactly as many of 40 concurrent holds through as the balance covers", async () => {
    const w = await fundedKey(100);
    const { db } = spy(t.db);
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        createHoldWithApiKey(db, w.keyHash, { amount: 8, idempotencyKey: unique() }, rate),
      ),
    );
    expect(results.filter((r) => r.outcome === "held")).toHaveLength(12);
    expect(results.filter((r) => r.outcome === "insufficient")).toHaveLength(28);
    const held = await t.db.query<{ held: number }>("select held::int from public.wallets where user_id = $1", [
      w.userId,
    ]);
    expect(held[0].held).toBe(96);
  });

  it("counts each call of a batch against the key's rate limit", async () => {
    const w = await fundedKey(100);
    const { db } = spy(t.db);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => spend(db, w.keyHash, 1, unique(), { limit: 5, windowSeconds: 60 })),
    );
    expect(results.filter((r) => r.outcome === "spent")).toHaveLength(5);
    expect(results.filter((r) => r.outcome === "rate_limited")).toHaveLength(7);
    expect(await balanceOf(t.db, w.userId)).toBe(95);
  });

  it("judges interleaved keys, an unknown key and a revoked key in one batch each as alone, and counts every request once", async () => {
    const a = await fundedKey(100);
    const b = await fundedKey(100);
    const gone = await fundedKey(100);
    await t.db.query(
      "update public.api_keys set revoked_at = now(), revoked_reason = 'revoked_by_owner' where key_hash = $1",
      [gone.keyHash],
    );
    const limit = { limit: 4, windowSeconds: 60 };
    const { db, calls } = spy(t.db);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const keyHash = [a.keyHash, b.keyHash, gone.keyHash, "0".repeat(64)][i % 4];
        return spend(db, keyHash, 1, unique(), limit);
      }),
    );
    expect(calls.some((c) => c.name === "api_key_writes")).toBe(true);
    for (const [i, w] of [a, b].entries()) {
      const own = results.filter((_, j) => j % 4 === i);
      // in the order they were sent: the first four fit the limit, the rest wait for the next window
      expect(own.map((r) => r.outcome)).toEqual(["spent", "spent", "spent", "spent", "rate_limited", "rate_limited"]);
      for (const r of own.slice(4)) {
        expect(r).toMatchObject({ outcome: "rate_limited" });
        expect("retry_after_seconds" in r && r.retry_after_seconds).toBeGreaterThanOrEqual(1);
      }
      expect(await balanceOf(t.db, w.userId)).toBe(96);
      const [key] = await t.db.query<{ n: number; used: Date | null }>(
        "select rate_window_requests as n, last_used_at as used from public.api_keys where key_hash = $1",
        [w.keyHash],
      );
      expect(key.n).toBe(6);
      expect(key.used).not.toBeNull();
    }
    expect(results.filter((_, j) => j % 4 === 2)).toEqual(
      Array.from({ length: 6 }, () => ({ outcome: "unauthorized", revoked_reason: "revoked_by_owner" })),
    );
    expect(results.filter((_, j) => j % 4 === 3)).toEqual(
      Array.from({ length: 6 }, () => ({ outcome: "unauthorized" })),
    );
    expect(await balanceOf(t.db, gone.userId)).toBe(100);
  });

  it("fails only the call that raises: the batch rolls back and each of its calls goes again alone", async () => {
    const w = await fundedKey(100);
    const { db, calls } = spy(t.db);
    const settled = await Promise.allSettled([
      spend(db, w.keyHash, 10),
      spend(db, w.keyHash, 10),
      spend(db, w.keyHash, 0), // record_spend refuses a non-positive amount (22023)
      spend(db, w.keyHash, 10),
    ]);
    const batch = calls.findIndex((c) => c.name === "api_key_writes");
    expect(batch).toBeGreaterThanOrEqual(0);
    // after the refused batch, each of its calls alone
    expect(calls.slice(batch + 1).map((c) => c.name)).toEqual(
      Array.from({ length: calls[batch].calls }, () => "spend_credits_with_api_key"),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const error = (settled[2] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "22023" });
    expect(await balanceOf(t.db, w.userId)).toBe(70);
    // the rolled-back batch counted nothing: each request counted once, alone (the refused one rolled back with it)
    const [key] = await t.db.query<{ n: number }>(
      "select rate_window_requests as n from public.api_keys where key_hash = $1",
      [w.keyHash],
    );
    expect(key.n).toBe(3);
  });

  it("sends every call again alone when the database cannot read the batch, so one bad argument fails only itself", async () => {
    const w = await fundedKey(100);
    const { db, calls } = spy(t.db);
    // jsonb refuses \u0000: the batch's one jsonb argument fails to parse as a whole.
    const settled = await Promise.allSettled([
      spend(db, w.keyHash, 10),
      spend(db, w.keyHash, 10),
      spendCreditsWithApiKey(db, { keyHash: w.keyHash, amount: 10, idempotencyKey: "nul\u0000key", rate }),
      spend(db, w.keyHash, 10),
    ]);
    const batch = calls.find((c) => c.name === "api_key_writes");
    expect(batch).toBeDefined();
    expect(calls.filter((c) => c.name === "spend_credits_with_api_key").length).toBeGreaterThanOrEqual(batch!.calls);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(await balanceOf(t.db, w.userId)).toBe(70);
  });

  // Last in the block: it drops the batch function from this test database.
  it("works, one call at a time, against a database that does not have api_key_writes yet", async () => {
    await t.db.exec("drop function public.api_key_writes(jsonb)");
    const w = await fundedKey(100);
    const { db, calls } = spy(t.db);
    const results = await Promise.all(Array.from({ length: 8 }, () => spend(db, w.keyHash, 10)));
    expect(results.every((r) => r.outcome === "spent")).toBe(true);
    expect(await balanceOf(t.db, w.userId)).toBe(20);
    expect(calls.filter((c) => c.name === "spend_credits_with_api_key")).toHaveLength(8);
  });
});
