/** The group-commit queue (lib/db/ingest-batch.ts) against a scripted database. */
import { describe, expect, it } from "vitest";
import { DatabaseError, DatabaseUnavailableError } from "@/lib/db/errors";
import type { Database, RpcArgs } from "@/lib/db/port";
import { IngestBatcher, type IngestParams } from "@/lib/db/ingest-batch";

interface Call {
  name: string;
  args: RpcArgs;
  finish: (answer?: unknown) => void;
  fail: (error: unknown) => void;
}

/** A database whose calls stay open until the test answers them. */
function scripted(mode: Database["mode"] = "postgres") {
  const calls: Call[] = [];
  const db: Database = {
    mode,
    rpc(name, args = {}) {
      return new Promise((resolve, reject) => {
        calls.push({ name, args, finish: resolve, fail: reject });
      });
    },
    close: async () => {},
  };
  return { db, calls };
}

/** The arguments this fake database looks at; the rest of ingest_webhook_event's do not matter here. */
const params = (id: string, payload: unknown = { id }) =>
  ({
    p_provider: "stripe",
    p_event_id: id,
    p_payload: payload,
  }) as IngestParams;
const events = (call: Call) => JSON.parse(String(call.args.p_events)) as Record<string, unknown>[];
const tick = () => new Promise((r) => setImmediate(r));
const answer = (id: string) => ({ duplicate: false, id, status: "processed" });

describe("IngestBatcher", () => {
  it("sends a lone delivery alone and those that waited behind it together, in order, each answered with its own result", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const first = batcher.ingest(params("evt_0"), 1.5);
    const rest = ["evt_1", "evt_2", "evt_3"].map((id) => batcher.ingest(params(id), 2));
    await tick();
    expect(calls.map((c) => c.name)).toEqual(["ingest_webhook_event"]);
    expect(calls[0].args).toMatchObject({ p_event_id: "evt_0", p_payload: { id: "evt_0" } });
    expect(calls[0].args.p_elapsed_ms).toBeGreaterThanOrEqual(1.5);

    calls[0].finish(answer("a0"));
    expect(await first).toEqual(answer("a0"));
    await tick();
    expect(calls.map((c) => c.name)).toEqual(["ingest_webhook_event", "ingest_webhook_events"]);
    const sent = events(calls[1]);
    expect(sent.map((e) => e.p_event_id)).toEqual(["evt_1", "evt_2", "evt_3"]);
    expect(sent[0]).toMatchObject({ p_provider: "stripe", p_payload: { id: "evt_1" } });
    // Time spent waiting in the queue counts in the delivery's duration.
    for (const e of sent) expect(e.p_elapsed_ms).toBeGreaterThanOrEqual(2);

    calls[1].finish([answer("a1"), answer("a2"), answer("a3")]);
    expect(await Promise.all(rest)).toEqual([answer("a1"), answer("a2"), answer("a3")]);
  });

  it("with PGlite, waits for the end of the event-loop turn, so the deliveries read in it go together", async () => {
    const { db, calls } = scripted("embedded");
    const batcher = new IngestBatcher(db);
    const all = ["evt_0", "evt_1", "evt_2"].map((id) => batcher.ingest(params(id), 0));
    expect(calls).toHaveLength(0);
    await tick();
    expect(calls.map((c) => c.name)).toEqual(["ingest_webhook_events"]);
    expect(events(calls[0]).map((e) => e.p_event_id)).toEqual(["evt_0", "evt_1", "evt_2"]);
    calls[0].finish([answer("a0"), answer("a1"), answer("a2")]);
    expect(await Promise.all(all)).toEqual([answer("a0"), answer("a1"), answer("a2")]);
    // A lone delivery still goes alone, one turn later.
    const lone = batcher.ingest(params("evt_3"), 0);
    await tick();
    expect(calls[1].name).toBe("ingest_webhook_event");
    calls[1].finish(answer("a3"));
    expect(await lone).toEqual(answer("a3"));
  });

  it("runs one call at a time by default and starts the next as soon as one ends", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const a = batcher.ingest(params("evt_a"), 0);
    const b = batcher.ingest(params("evt_b"), 0);
    await tick();
    expect(calls).toHaveLength(1);
    calls[0].finish(answer("a"));
    await a;
    await tick();
    expect(calls).toHaveLength(2);
    // b waited alone, so it goes alone.
    expect(calls[1].name).toBe("ingest_webhook_event");
    calls[1].finish(answer("b"));
    expect(await b).toEqual(answer("b"));
  });

  it("lets one more call start beside a call that has stalled, up to maxLanes", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db, { stallMs: 20, maxLanes: 2 });
    const a = batcher.ingest(params("evt_a"), 0);
    const b = batcher.ingest(params("evt_b"), 0);
    await tick();
    expect(calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 40));
    // a is stuck (a lock wait, say): b no longer waits for it.
    expect(calls.map((c) => c.args.p_event_id)).toEqual(["evt_a", "evt_b"]);
    const c = batcher.ingest(params("evt_c"), 0);
    await new Promise((r) => setTimeout(r, 40));
    // Both lanes are taken, stalled or not: c waits for one to end.
    expect(calls).toHaveLength(2);
    calls[1].finish(answer("b"));
    expect(await b).toEqual(answer("b"));
    await tick();
    expect(calls.map((x) => x.args.p_event_id)).toEqual(["evt_a", "evt_b", "evt_c"]);
    calls[0].finish(answer("a"));
    calls[2].finish(answer("c"));
    expect(await Promise.all([a, c])).toEqual([answer("a"), answer("c")]);
  });

  it("sends at most 16 deliveries per call by default (two subtransaction ids each, within the 64 a backend caches)", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const all = Array.from({ length: 40 }, (_, i) => batcher.ingest(params(`evt_${i}`), 0));
    for (let i = 0; i < 4; i++) {
      await tick();
      const call = calls[i];
      call.finish(call.name === "ingest_webhook_event" ? answer("x") : events(call).map(() => answer("x")));
    }
    await Promise.all(all);
    expect(calls.map((c) => (c.name === "ingest_webhook_event" ? 1 : events(c).length))).toEqual([1, 16, 16, 7]);
  });

  it("keeps batches within the count and size limits", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db, { maxBatch: 3, maxChars: 400 });
    const head = batcher.ingest(params("evt_head"), 0);
    const small = Array.from({ length: 5 }, (_, i) => batcher.ingest(params(`evt_s${i}`), 0));
    const big = batcher.ingest(params("evt_big", { blob: "x".repeat(1_000) }), 0);
    const after = batcher.ingest(params("evt_after"), 0);
    const all = [head, ...small, big, after];
    calls[0].finish(answer("head"));
    await tick();
    expect(events(calls[1]).map((e) => e.p_event_id)).toEqual(["evt_s0", "evt_s1", "evt_s2"]);
    calls[1].finish([answer("s0"), answer("s1"), answer("s2")]);
    await tick();
    await tick();
    // evt_big would take the batch over 400 characters: it starts the next one, and fills it alone.
    expect(events(calls[2]).map((e) => e.p_event_id)).toEqual(["evt_s3", "evt_s4"]);
    calls[2].finish([answer("s3"), answer("s4")]);
    await tick();
    await tick();
    expect([calls[3].name, calls[3].args.p_event_id]).toEqual(["ingest_webhook_event", "evt_big"]);
    calls[3].finish(answer("big"));
    await tick();
    await tick();
    expect([calls[4].name, calls[4].args.p_event_id]).toEqual(["ingest_webhook_event", "evt_after"]);
    calls[4].finish(answer("after"));
    expect(await Promise.all(all)).toHaveLength(8);
  });

  it("rejects only the delivery the database rolled back, with the error it raised", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const head = batcher.ingest(params("evt_head"), 0);
    const ok = batcher.ingest(params("evt_ok"), 0);
    const raced = batcher.ingest(params("evt_raced"), 0);
    const refused = batcher.ingest(params("evt_refused"), 0);
    calls[0].finish(answer("head"));
    await head;
    await tick();
    calls[1].finish([
      answer("ok"),
      { sqlstate: "40001", message: "event evt_raced was recorded concurrently" },
      { sqlstate: "22023", message: "payload is required" },
    ]);
    expect(await ok).toEqual(answer("ok"));
    // A transient failure is "unavailable" (the route answers 503), a refusal keeps its SQLSTATE.
    await expect(raced).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(refused).rejects.toBeInstanceOf(DatabaseError);
    await expect(refused).rejects.toMatchObject({ code: "22023", message: "payload is required" });
  });

  it("runs a delivery the batch rolled back for a deadlock again alone once the batch has committed", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const head = batcher.ingest(params("evt_head"), 0);
    const ok = batcher.ingest(params("evt_ok"), 0);
    const locked = batcher.ingest(params("evt_locked"), 0);
    calls[0].finish(answer("head"));
    await head;
    await tick();
    calls[1].finish([answer("ok"), { sqlstate: "40P01", message: "deadlock detected" }]);
    expect(await ok).toEqual(answer("ok"));
    await tick();
    expect(calls).toHaveLength(3);
    expect(calls[2]).toMatchObject({ name: "ingest_webhook_event", args: { p_event_id: "evt_locked" } });
    calls[2].finish(answer("locked"));
    expect(await locked).toEqual(answer("locked"));
  });

  /** Three deliveries: the head alone, then x and y in a batch call that fails with `error`. */
  async function failedBatch(error: unknown) {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    const head = batcher.ingest(params("evt_head"), 0);
    const x = batcher.ingest(params("evt_x"), 0);
    const y = batcher.ingest(params("evt_y"), 0);
    // Observed now: they may reject before the test awaits them.
    x.catch(() => {});
    y.catch(() => {});
    calls[0].finish(answer("head"));
    await head;
    await tick();
    calls[1].fail(error);
    await tick();
    return { calls, x, y };
  }

  it.each([
    ["refused as a whole", new DatabaseError("unsupported Unicode escape sequence", "22P05")],
    [
      "timed out as a whole",
      new DatabaseUnavailableError("database unavailable (57014)", { cause: { code: "57014" } }),
    ],
  ])(
    "sends each delivery again alone when the batch is %s, and rejects only those that fail again",
    async (_, error) => {
      const { calls, x, y } = await failedBatch(error);
      expect(calls.slice(2).map((c) => [c.name, c.args.p_event_id])).toEqual([
        ["ingest_webhook_event", "evt_x"],
        ["ingest_webhook_event", "evt_y"],
      ]);
      calls[2].finish(answer("x"));
      calls[3].fail(new DatabaseError("unsupported Unicode escape sequence", "22P05"));
      expect(await x).toEqual(answer("x"));
      await expect(y).rejects.toBeInstanceOf(DatabaseError);
    },
  );

  it("rejects the whole batch at once, as unavailable, when the database cannot be reached", async () => {
    const lost = new DatabaseUnavailableError("database unavailable (ECONNREFUSED)", {
      cause: { code: "ECONNREFUSED" },
    });
    const { calls, x, y } = await failedBatch(lost);
    await expect(x).rejects.toBe(lost);
    await expect(y).rejects.toBe(lost);
    expect(calls).toHaveLength(2);
  });

  it("rejects every delivery of a batch whose answer does not line up with it", async () => {
    const { db, calls } = scripted();
    const batcher = new IngestBatcher(db);
    void batcher.ingest(params("evt_head"), 0);
    const x = batcher.ingest(params("evt_x"), 0);
    const y = batcher.ingest(params("evt_y"), 0);
    calls[0].finish(answer("head"));
    await tick();
    calls[1].finish([answer("x")]);
    await expect(x).rejects.toThrow("unexpected answer");
    await expect(y).rejects.toThrow("unexpected answer");
  });

  it("passes the batch to supabase-js as an array (it serialises arguments itself)", async () => {
    const { db, calls } = scripted("supabase");
    const batcher = new IngestBatcher(db);
    void batcher.ingest(params("evt_head"), 0);
    void batcher.ingest(params("evt_x"), 0);
    void batcher.ingest(params("evt_y"), 0);
    calls[0].finish(answer("head"));
    await tick();
    expect(Array.isArray(calls[1].args.p_events)).toBe(true);
    expect((calls[1].args.p_events as { p_event_id: string }[]).map((e) => e.p_event_id)).toEqual(["evt_x", "evt_y"]);
  });
});
