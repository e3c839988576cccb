/** The API-write group commit (lib/db/api-write-batch.ts) against a scripted database. */
import { describe, expect, it } from "vitest";
import { DatabaseError } from "@/lib/db/errors";
import type { Database, RpcArgs } from "@/lib/db/port";
import { ApiWriteBatcher } from "@/lib/db/api-write-batch";

interface Call {
  name: string;
  args: RpcArgs;
  finish: (answer?: unknown) => void;
  fail: (error: unknown) => void;
}

/** A database whose calls stay open until the test answers them. */
function scripted() {
  const calls: Call[] = [];
  const db: Database = {
    mode: "postgres",
    rpc(name, args = {}) {
      return new Promise((resolve, reject) => {
        calls.push({ name, args, finish: resolve, fail: reject });
      });
    },
    close: async () => {},
  };
  return { db, calls };
}

const tick = () => new Promise((r) => setImmediate(r));
const spend = (key: string) => ({ p_key_hash: key, p_amount: 5, p_idempotency_key: key, p_reason: null });
const spent = (balance: number) => ({ outcome: "spent", balance, available: balance, spent: 5 });

describe("ApiWriteBatcher", () => {
  it("sends the first write alone and the spends and captures that waited behind it together, as {fn, args}", async () => {
    const { db, calls } = scripted();
    const batcher = new ApiWriteBatcher(db);
    const first = batcher.call("spend_credits_with_api_key", spend("a"));
    const second = batcher.call("spend_credits_with_api_key", spend("b"));
    const third = batcher.call("capture_hold_with_api_key", { p_key_hash: "c", p_hold_id: "h1", p_amount: null });
    await tick();
    expect(calls.map((c) => c.name)).toEqual(["spend_credits_with_api_key"]);
    expect(calls[0].args).toEqual(spend("a"));
    calls[0].finish(spent(95));
    expect(await first).toEqual(spent(95));
    await tick();
    expect(calls[1].name).toBe("api_key_writes");
    expect(JSON.parse(String(calls[1].args.p_calls))).toEqual([
      { fn: "spend_credits_with_api_key", args: spend("b") },
      { fn: "capture_hold_with_api_key", args: { p_key_hash: "c", p_hold_id: "h1", p_amount: null } },
    ]);
    calls[1].finish([spent(90), { outcome: "captured" }]);
    expect(await second).toEqual(spent(90));
    expect(await third).toEqual({ outcome: "captured" });
  });

  it("sends each write again alone when the batch fails as a whole (a deadlock, one bad write): only the bad one fails", async () => {
    const { db, calls } = scripted();
    const batcher = new ApiWriteBatcher(db);
    const head = batcher.call("spend_credits_with_api_key", spend("head"));
    const ok = batcher.call("spend_credits_with_api_key", spend("ok"));
    const bad = batcher.call("spend_credits_with_api_key", spend("bad"));
    bad.catch(() => {});
    calls[0].finish(spent(100));
    await head;
    await tick();
    expect(calls[1].name).toBe("api_key_writes");
    calls[1].fail(new DatabaseError("deadlock detected", "40P01"));
    await tick();
    // Nothing of the batch committed: each write went again, alone, with its own arguments.
    expect(calls.slice(2).map((c) => [c.name, c.args])).toEqual([
      ["spend_credits_with_api_key", spend("ok")],
      ["spend_credits_with_api_key", spend("bad")],
    ]);
    calls[2].finish(spent(95));
    calls[3].fail(new DatabaseError("amount must be a positive integer", "22023"));
    expect(await ok).toEqual(spent(95));
    await expect(bad).rejects.toMatchObject({ code: "22023" });
  });
});
