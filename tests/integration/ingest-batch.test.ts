/**
 * Group commit of webhook deliveries (lib/db/ingest-batch.ts,
 * ingest_webhook_events): deliveries that wait behind a running call go to the
 * database together, and every money rule of a lone delivery still holds for
 * each of them.
 */
import { describe, expect, it } from "vitest";
import { grantAction, noneAction } from "@/lib/db/actions";
import { DatabaseError } from "@/lib/db/errors";
import type { Database, RpcArgs, RpcOptions } from "@/lib/db/port";
import { ingestWebhookEvent, type IngestArgs } from "@/lib/db/rpc/webhook-events";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { rpcUnchecked } from "../helpers/rpc-unchecked";
import { unique, useTestDatabase } from "../helpers/test-database";

/** The test database behind a recorder of the calls made through it (a fresh batcher per spy). */
function spy(db: Database) {
  const calls: { name: string; events: number }[] = [];
  const wrapped: Database = {
    mode: db.mode,
    rpc(name: string, args?: RpcArgs, options?: RpcOptions) {
      const events = name === "ingest_webhook_events" ? JSON.parse(String(args?.p_events)).length : 1;
      calls.push({ name, events });
      return rpcUnchecked(db, name, args, options);
    },
    close: () => db.close(),
  };
  return { db: wrapped, calls };
}

describe.each(targets)("group commit of deliveries on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });

  const paid = (userId: string, externalId: string, eventId = `evt_${externalId}`): IngestArgs => ({
    provider: "stripe",
    eventId,
    eventType: "checkout.session.completed",
    payload: { id: eventId, object: "event" },
    action: grantAction({
      provider: "stripe",
      externalId,
      userId,
      email: null,
      packageId: null,
      credits: 100,
      amountMinor: 1000,
      currency: "usd",
      eventId,
    }),
  });
  /**
   * The calls a burst sent at once is made in: on a server, the first goes alone and the rest wait behind it;
   * PGlite waits for the end of the event-loop turn, so the whole burst goes together.
   */
  const burst = (n: number): [string, number][] =>
    t.db.mode === "embedded"
      ? [["ingest_webhook_events", n]]
      : [
          ["ingest_webhook_event", 1],
          ["ingest_webhook_events", n - 1],
        ];
  const count = async (sql: string, params: unknown[]) => (await t.db.query<{ n: number }>(sql, params))[0].n;

  it("grants each payment once when 40 events arrive twice each, all at once, and sends them in fewer calls", async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => createUser(t.db, `batch-${unique()}@example.com`)));
    const tag = unique();
    const deliveries = Array.from({ length: 40 }, (_, i) => paid(users[i % 4], `pi_${tag}_${i}`));
    const { db, calls } = spy(t.db);
    const results = await Promise.all([...deliveries, ...deliveries].map((d) => ingestWebhookEvent(db, d)));

    expect(results.filter((r) => !r.duplicate)).toHaveLength(40);
    expect(results.filter((r) => r.duplicate)).toHaveLength(40);
    expect(results.every((r) => r.status === "processed")).toBe(true);
    for (const user of users) expect(await balanceOf(t.db, user)).toBe(1000);
    expect(
      await count("select count(*)::int as n from public.purchases where external_id like $1", [`pi_${tag}_%`]),
    ).toBe(40);
    expect(
      await count("select count(*)::int as n from public.webhook_events where event_id like $1", [`evt_pi_${tag}_%`]),
    ).toBe(40);
    // At most 16 per call: 80 deliveries in 5 or 6 calls.
    expect(calls.length).toBeLessThanOrEqual(6);
    expect(calls.every((c) => c.events <= 16)).toBe(true);
    expect(calls.reduce((n, c) => n + c.events, 0)).toBe(80);
  });

  it("answers a redelivery in the same batch as a duplicate and grants once", async () => {
    const user = await createUser(t.db, `batch-dup-${unique()}@example.com`);
    const delivery = paid(user, `pi_${unique()}`);
    const { db, calls } = spy(t.db);
    const [first, a, b] = await Promise.all([
      ingestWebhookEvent(db, paid(user, `pi_${unique()}`)),
      ingestWebhookEvent(db, delivery),
      ingestWebhookEvent(db, delivery),
    ]);
    expect(calls.map((c) => [c.name, c.events])).toEqual(burst(3));
    expect(first.duplicate).toBe(false);
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    expect(b.id).toBe(a.id);
    expect(await balanceOf(t.db, user)).toBe(200);
  });

  it("rolls back a delivery that raises alone: the others in its batch commit", async () => {
    const user = await createUser(t.db, `batch-raise-${unique()}@example.com`);
    const tag = unique();
    const bad: IngestArgs = {
      provider: "stripe",
      eventId: `evt_bad_${tag}`,
      eventType: "test.event",
      payload: null,
      action: noneAction("processed", "recorded"),
    };
    const { db, calls } = spy(t.db);
    const settled = await Promise.allSettled([
      ingestWebhookEvent(db, paid(user, `pi_${tag}_0`)),
      ingestWebhookEvent(db, paid(user, `pi_${tag}_1`)),
      ingestWebhookEvent(db, bad),
      ingestWebhookEvent(db, paid(user, `pi_${tag}_2`)),
    ]);
    expect(calls.map((c) => [c.name, c.events])).toEqual(burst(4));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const error = (settled[2] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "22023", message: "payload is required" });
    expect(await balanceOf(t.db, user)).toBe(300);
    expect(await count("select count(*)::int as n from public.webhook_events where event_id = $1", [bad.eventId])).toBe(
      0,
    );
  });

  it("sends every delivery again alone when the database cannot read the batch, so one bad payload fails only itself", async () => {
    const user = await createUser(t.db, `batch-nul-${unique()}@example.com`);
    const tag = unique();
    // jsonb refuses \u0000: the batch's one jsonb argument fails to parse as a whole.
    const nul = { ...paid(user, `pi_${tag}_nul`), payload: { note: "a\u0000b" } };
    const { db, calls } = spy(t.db);
    const settled = await Promise.allSettled([
      ingestWebhookEvent(db, paid(user, `pi_${tag}_0`)),
      ingestWebhookEvent(db, paid(user, `pi_${tag}_1`)),
      ingestWebhookEvent(db, nul),
      ingestWebhookEvent(db, paid(user, `pi_${tag}_2`)),
    ]);
    // The batch failed as a whole; each of its deliveries went again alone.
    const sent = burst(4);
    const batchSize = sent[sent.length - 1][1];
    expect(calls.map((c) => [c.name, c.events])).toEqual([
      ...sent,
      ...Array.from({ length: batchSize }, () => ["ingest_webhook_event", 1]),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseError);
    expect(await balanceOf(t.db, user)).toBe(300);
    expect(
      await count("select count(*)::int as n from public.webhook_events where event_id = $1", [`evt_pi_${tag}_nul`]),
    ).toBe(0);
  });

  // Last in the block: it drops the batch function from this test database.
  it("works, one delivery at a time, against a database that does not have ingest_webhook_events yet", async () => {
    await t.db.exec("drop function public.ingest_webhook_events(jsonb)");
    const user = await createUser(t.db, `batch-old-${unique()}@example.com`);
    const tag = unique();
    const { db, calls } = spy(t.db);
    const results = await Promise.all([0, 1, 2, 3].map((i) => ingestWebhookEvent(db, paid(user, `pi_${tag}_${i}`))));
    expect(results.every((r) => r.status === "processed" && !r.duplicate)).toBe(true);
    expect(await balanceOf(t.db, user)).toBe(400);
    expect(calls.filter((c) => c.name === "ingest_webhook_event")).toHaveLength(4);
  });
});
