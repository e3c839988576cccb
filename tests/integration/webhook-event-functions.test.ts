/** The event-log SQL functions: record + act + finish, retry, sweep leases, admin log, metrics. */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { failAction, grantAction, noneAction, reverseAction, type WebhookAction } from "@/lib/db/actions";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import {
  claimDueWebhookEvents,
  getWebhookEvent,
  ingestWebhookEvent,
  listWebhookEvents,
  retryWebhookEvent,
  webhookMetrics,
  type IngestArgs,
} from "@/lib/db/rpc/webhook-events";
import { type ProviderName } from "@/lib/providers/names";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { unique, useTestDatabase } from "../helpers/test-database";
import { rowCounts } from "../helpers/sql-assertions";

describe.each(targets)("webhook event functions on %s", (target) => {
  const t = useTestDatabase(target);

  const ingest = (a: Partial<IngestArgs> = {}) =>
    ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId: `evt_${unique()}`,
      eventType: "test.event",
      payload: { hello: "world" },
      action: noneAction("processed", "recorded"),
      ...a,
    });

  const grant = (externalId: string, extra: Partial<Parameters<typeof grantAction>[0]> = {}) =>
    grantAction({
      provider: "stripe",
      externalId,
      userId: null,
      email: null,
      packageId: null,
      credits: 100,
      amountMinor: 1000,
      currency: "usd",
      eventId: `evt_${externalId}`,
      ...extra,
    });
  const refund = (externalId: string) =>
    reverseAction({
      provider: "stripe",
      externalId,
      kind: "refund",
      reference: `ch_${externalId}`,
      refundedMinor: 1000,
    });

  /** The purchase a refund names: 100 credits for 10.00 USD. */
  const buy = (user: string, externalId: string) =>
    grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId,
      userId: user,
      credits: 100,
      amountMinor: 1000,
      currency: "usd",
    });

  async function eventRow(id: string) {
    const [row] = await t.db.query<Record<string, unknown>>(
      "select status, attempts, last_error, outcome, next_attempt_at, processed_at from public.webhook_events where id = $1",
      [id],
    );
    return row;
  }

  describe("ingest_webhook_event", () => {
    it("records the event, runs its action and stores the outcome as processed", async () => {
      const user = await createUser(t.db, `ingest-${unique()}@example.com`);
      const result = await ingest({
        eventType: "checkout.session.completed",
        action: grant(`pi_${unique()}`, { userId: user }),
      });
      expect(result).toMatchObject({ duplicate: false, status: "processed", attempts: 1, error: null });
      expect(result.outcome).toMatch(/^granted 100 credits to .* \(balance 100\)$/);
      expect(await balanceOf(t.db, user)).toBe(100);
      expect(await eventRow(result.id)).toMatchObject({
        status: "processed",
        attempts: 1,
        last_error: null,
        next_attempt_at: null,
      });
    });

    it("answers a redelivery as duplicate without running its action again", async () => {
      const user = await createUser(t.db, `redeliver-${unique()}@example.com`);
      const eventId = `evt_${unique()}`;
      const first = await ingest({ eventId, action: grant(`pi_${unique()}`, { userId: user }) });
      const before = await rowCounts(t.db);
      // the redelivery even names another payment: it must not be looked at
      const again = await ingest({ eventId, action: grant(`pi_${unique()}`, { userId: user }) });
      expect(again).toEqual({ duplicate: true, id: first.id, status: "processed" });
      expect(await rowCounts(t.db)).toEqual(before);
      expect(await balanceOf(t.db, user)).toBe(100);
      expect((await eventRow(first.id)).attempts).toBe(1);
    });

    it("runs the action once when deliveries of one event race, each naming another payment", async () => {
      const user = await createUser(t.db, `race-${unique()}@example.com`);
      const eventId = `evt_${unique()}`;
      // different payments: only the event dedupe (not the purchase key) can keep this to one grant
      const results = await Promise.all(
        Array.from({ length: 8 }, () => ingest({ eventId, action: grant(`pi_${unique()}`, { userId: user }) })),
      );
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await balanceOf(t.db, user)).toBe(100);
      const [events] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from public.webhook_events where event_id = $1",
        [eventId],
      );
      expect(events.n).toBe(1);
    });

    it("stores a delivery in its final state with one attempt, and shows it in the attempt log", async () => {
      const user = await createUser(t.db, `final-${unique()}@example.com`);
      const result = await ingest({
        action: grant(`pi_${unique()}`, { userId: user }),
        elapsedMs: 2,
      });
      const detail = await getWebhookEvent(t.db, result.id);
      expect(detail).toMatchObject({ status: "processed", attempts: 1, last_error: null, next_attempt_at: null });
      expect(detail?.processed_at).toBeInstanceOf(Date);
      expect(Number(detail?.duration_ms)).toBeGreaterThanOrEqual(2);
      expect(detail?.attempt_log).toEqual([
        expect.objectContaining({
          attempt: 1,
          status: "processed",
          trigger: "delivery",
          error: null,
          outcome: result.outcome,
        }),
      ]);
    });

    it("dedupes per provider: the same event id from another provider is another event", async () => {
      const eventId = `evt_${unique()}`;
      const a = await ingest({ eventId, provider: "stripe" });
      const b = await ingest({ eventId, provider: "paystack" });
      expect(b.duplicate).toBe(false);
      expect(b.id).not.toBe(a.id);
    });

    it("stores an action's error as failed with the reason, one attempt and a next attempt time", async () => {
      const externalId = `pi_${unique()}`;
      const result = await ingest({ eventType: "charge.refunded", action: refund(externalId) });
      expect(result).toMatchObject({ duplicate: false, status: "failed", attempts: 1, outcome: null });
      expect(result.error).toBe(`purchase not found: stripe ${externalId}`);
      const row = await eventRow(result.id);
      expect(row).toMatchObject({
        status: "failed",
        attempts: 1,
        last_error: `purchase not found: stripe ${externalId}`,
      });
      expect(row.next_attempt_at).not.toBeNull();
    });

    it("rolls back a failed action's writes but keeps the failed event", async () => {
      const before = await rowCounts(t.db);
      const result = await ingest({
        action: grant(`cs_${unique()}`, {
          email: `x-${unique()}@example.com`,
          credits: null,
          packageId: "missing_pack",
        }),
      });
      expect(result).toMatchObject({ status: "failed", error: "unknown package: missing_pack" });
      expect(await rowCounts(t.db)).toEqual({ ...before, webhook_events: before.webhook_events + 1 });
    });

    it("records an event as ignored through webhook_action_none", async () => {
      const result = await ingest({
        eventType: "checkout.session.completed",
        action: noneAction("ignored", "ignored: unpaid"),
      });
      expect(result).toMatchObject({ status: "ignored", outcome: "ignored: unpaid", attempts: 1 });
      expect(await eventRow(result.id)).toMatchObject({
        status: "ignored",
        outcome: "ignored: unpaid",
        next_attempt_at: null,
      });
    });

    it("fails an event through webhook_action_fail with the given reason", async () => {
      const result = await ingest({ action: failAction("unexpected payload shape") });
      expect(result).toMatchObject({ status: "failed", error: "unexpected payload shape" });
    });

    it("fails an event whose action does not exist, without running anything", async () => {
      // only a cast can name an action without a builder: the SQL guard is what is tested here
      const unknownAction = (name: string) => ({ action: name, args: {} }) as unknown as WebhookAction;
      const result = await ingest({ action: unknownAction("no_such_action") });
      expect(result.status).toBe("failed");
      expect(result.error).toMatch(/webhook_action_no_such_action/);
      const bad = await ingest({ action: unknownAction("none; drop table x") });
      expect(bad).toMatchObject({ status: "failed", error: "invalid action name" });
    });

    it("stores the e-mail lower-cased and the external id for search", async () => {
      const result = await ingest({ email: "  Buyer@Example.COM ", externalId: "pi_search" });
      const [row] = await t.db.query("select email, external_id from public.webhook_events where id = $1", [result.id]);
      expect(row).toEqual({ email: "buyer@example.com", external_id: "pi_search" });
    });
  });

  describe("retry_webhook_event", () => {
    it("turns a failed event into processed once its cause is fixed", async () => {
      const user = await createUser(t.db, `retry-${unique()}@example.com`);
      const externalId = `pi_${unique()}`;
      const action = refund(externalId);
      const failed = await ingest({ eventType: "charge.refunded", action });
      expect(failed.status).toBe("failed");
      // still not there: a second failure, counted
      expect(await retryWebhookEvent(t.db, failed.id, action, "sweep")).toMatchObject({
        status: "failed",
        attempts: 2,
      });

      await buy(user, externalId);
      const retried = await retryWebhookEvent(t.db, failed.id, action, "admin");
      expect(retried).toMatchObject({ duplicate: false, status: "processed", attempts: 3, error: null });
      expect(retried.outcome).toBe("refund: took back 100 credits (purchase refunded)");
      expect(await eventRow(failed.id)).toMatchObject({
        status: "processed",
        attempts: 3,
        last_error: null,
        next_attempt_at: null,
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("skips an event that is already processed", async () => {
      const user = await createUser(t.db, `skip-${unique()}@example.com`);
      const done = await ingest({ action: grant(`pi_${unique()}`, { userId: user }) });
      const again = await retryWebhookEvent(t.db, done.id, grant(`pi_${unique()}`, { userId: user }), "admin");
      expect(again).toMatchObject({ id: done.id, status: "processed", skipped: true });
      expect((await eventRow(done.id)).attempts).toBe(1);
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("raises 'event not found' for an unknown id", async () => {
      await expect(
        retryWebhookEvent(t.db, randomUUID(), noneAction("processed", "recorded"), "admin"),
      ).rejects.toMatchObject({
        code: "P0002",
        message: "event not found",
      });
    });
  });

  describe("claim_due_webhook_events", () => {
    async function failedEvent(dueSecondsAgo: number | null, attempts = 1) {
      const result = await ingest({ action: failAction("not yet") });
      await t.db.query(
        "update public.webhook_events set attempts = $2, next_attempt_at = case when $3::int is null then next_attempt_at else now() - make_interval(secs => $3::int) end where id = $1",
        [result.id, attempts, dueSecondsAgo],
      );
      return result.id;
    }

    it("returns only failed events that are due and below the attempt cap, and leases them", async () => {
      const due = [await failedEvent(60), await failedEvent(5)];
      const notDue = await failedEvent(null);
      const exhausted = await failedEvent(60, 12);
      const processed = (await ingest()).id;
      await t.db.query("update public.webhook_events set next_attempt_at = now() - interval '1 hour' where id = $1", [
        processed,
      ]);

      const claimed = await claimDueWebhookEvents(t.db, 500, 12);
      const ids = claimed.map((e) => e.id);
      expect(ids).toEqual(expect.arrayContaining(due));
      expect(ids).not.toContain(notDue);
      expect(ids).not.toContain(exhausted);
      expect(ids).not.toContain(processed);
      expect(claimed.find((e) => e.id === due[0])).toMatchObject({
        provider: "stripe",
        event_type: "test.event",
        attempts: 1,
        payload: { hello: "world" },
      });

      // the lease pushed them out: a second sweeper right after gets none of them
      const [{ leased }] = await t.db.query<{ leased: boolean }>(
        "select bool_and(next_attempt_at > now() + interval '4 minutes') as leased from public.webhook_events where id = any($1::uuid[])",
        [due],
      );
      expect(leased).toBe(true);
      expect((await claimDueWebhookEvents(t.db, 500, 12)).map((e) => e.id)).not.toEqual(
        expect.arrayContaining([due[0]]),
      );
    });

    it("returns at most p_limit events, oldest due first", async () => {
      const older = await failedEvent(3600);
      const newer = await failedEvent(1800);
      const [first] = await claimDueWebhookEvents(t.db, 1, 12);
      expect(first.id).toBe(older);
      const [second] = await claimDueWebhookEvents(t.db, 1, 12);
      expect(second.id).toBe(newer);
    });

    it.skipIf(target === "pglite")("skips events another sweeper holds locked (SKIP LOCKED)", async () => {
      const locked = await failedEvent(600);
      const free = await failedEvent(599);
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      try {
        await other.query("begin");
        await other.query("select 1 from public.webhook_events where id = $1 for update", [locked]);
        const ids = (await claimDueWebhookEvents(t.db, 500, 12)).map((e) => e.id);
        expect(ids).toContain(free);
        expect(ids).not.toContain(locked);
        await other.query("rollback");
        expect((await claimDueWebhookEvents(t.db, 500, 12)).map((e) => e.id)).toContain(locked);
      } finally {
        await other.end();
      }
    });
  });

  describe("list_webhook_events", () => {
    const type = `test.list.${unique()}`;
    const email = `list-${unique()}@example.com`;
    let ids: { stripeProcessed: string; stripeFailed: string; paystack: string; byEmail: string; byExternal: string };
    let since: Date;

    beforeAll(async () => {
      since = (await t.db.query<{ now: Date }>("select clock_timestamp() as now"))[0].now;
      const add = async (provider: ProviderName, extra: Partial<IngestArgs> = {}) =>
        (await ingest({ provider, eventType: type, ...extra })).id;
      ids = {
        stripeProcessed: await add("stripe"),
        stripeFailed: await add("stripe", { action: failAction("boom") }),
        paystack: await add("paystack"),
        byEmail: await add("paystack", { email: email.toUpperCase() }),
        byExternal: await add("fireblocks", { externalId: `ext_${type}` }),
      };
    });

    const listed = async (filter: Parameters<typeof listWebhookEvents>[1]) =>
      (await listWebhookEvents(t.db, { type, ...filter })).map((e) => e.id).sort();

    it("filters by event type", async () => {
      expect(await listed({})).toEqual(Object.values(ids).sort());
    });

    it("filters by provider", async () => {
      expect(await listed({ provider: "stripe" })).toEqual([ids.stripeProcessed, ids.stripeFailed].sort());
      expect(await listed({ provider: "tradingview" })).toEqual([]);
    });

    it("filters by status", async () => {
      expect(await listed({ status: "failed" })).toEqual([ids.stripeFailed]);
      expect(await listed({ status: "processed", provider: "paystack" })).toEqual([ids.paystack, ids.byEmail].sort());
    });

    it("finds events by free text: event id, e-mail (any case) or external id", async () => {
      const [row] = await t.db.query<{ event_id: string }>("select event_id from public.webhook_events where id = $1", [
        ids.paystack,
      ]);
      expect((await listWebhookEvents(t.db, { q: row.event_id })).map((e) => e.id)).toEqual([ids.paystack]);
      expect((await listWebhookEvents(t.db, { q: ` ${email.toUpperCase()} ` })).map((e) => e.id)).toEqual([
        ids.byEmail,
      ]);
      expect((await listWebhookEvents(t.db, { q: `ext_${type}` })).map((e) => e.id)).toEqual([ids.byExternal]);
      expect(await listWebhookEvents(t.db, { q: `nothing-${unique()}` })).toEqual([]);
    });

    it("filters by received time", async () => {
      expect(await listed({ from: since })).toEqual(Object.values(ids).sort());
      expect(await listed({ to: since })).toEqual([]);
    });

    it("returns summaries with status, attempts, error and timing", async () => {
      const [failed] = await listWebhookEvents(t.db, { type, status: "failed" });
      expect(failed).toMatchObject({
        provider: "stripe",
        event_type: type,
        status: "failed",
        attempts: 1,
        last_error: "boom",
      });
      expect(failed.duration_ms).toBeGreaterThanOrEqual(0);
    });

    it("pages with a keyset cursor: disjoint pages, newest first, covering every event", async () => {
      const pageType = `test.page.${unique()}`;
      for (let i = 0; i < 7; i++) await ingest({ eventType: pageType });
      const pages: string[][] = [];
      const all: Array<{ id: string; received_at: Date }> = [];
      let before: { receivedAt: Date; id: string } | undefined;
      for (;;) {
        const page = await listWebhookEvents(t.db, { type: pageType, limit: 3, before });
        if (page.length === 0) break;
        pages.push(page.map((e) => e.id));
        all.push(...page);
        const last = page[page.length - 1];
        before = { receivedAt: last.received_at, id: last.id };
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(new Set(all.map((e) => e.id)).size).toBe(7);
      const keys = all.map((e) => [e.received_at.getTime(), e.id] as const);
      const sorted = [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
      expect(keys).toEqual(sorted);
    });

    it("pages through events received in the same millisecond without skipping any (cursor via JS Date)", async () => {
      const sameType = `test.same-ms.${unique()}`;
      // one statement: every row gets the same now()
      await t.db.query(
        `insert into webhook_events (provider, event_id, event_type, status, payload)
         select 'stripe', $1 || n, $2, 'processed', '{}'::jsonb from generate_series(1, 55) n`,
        [`evt_same_${unique()}_`, sameType],
      );
      const seen = new Set<string>();
      let before: { receivedAt: Date; id: string } | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await listWebhookEvents(t.db, { type: sameType, limit: 20, before });
        if (page.length === 0) break;
        for (const e of page) seen.add(e.id);
        const last = page[page.length - 1];
        before = { receivedAt: last.received_at, id: last.id };
      }
      expect(seen.size).toBe(55);
    });
  });

  describe("get_webhook_event", () => {
    it("returns the event with its payload and attempt log", async () => {
      const user = await createUser(t.db, `detail-${unique()}@example.com`);
      const externalId = `pi_${unique()}`;
      const action = refund(externalId);
      const failed = await ingest({ payload: { id: "evt_detail", nested: { amount: 1000 } }, action });
      await buy(user, externalId);
      await retryWebhookEvent(t.db, failed.id, action, "admin");

      const detail = await getWebhookEvent(t.db, failed.id);
      expect(detail).toMatchObject({
        id: failed.id,
        status: "processed",
        attempts: 2,
        payload: { id: "evt_detail", nested: { amount: 1000 } },
      });
      expect(detail?.attempt_log).toEqual([
        expect.objectContaining({
          attempt: 1,
          status: "failed",
          trigger: "delivery",
          error: `purchase not found: stripe ${externalId}`,
          outcome: null,
        }),
        expect.objectContaining({
          attempt: 2,
          status: "processed",
          trigger: "admin",
          error: null,
          outcome: expect.stringMatching(/^refund: took back 100/),
        }),
      ]);
    });

    it("returns null for an unknown id", async () => {
      expect(await getWebhookEvent(t.db, randomUUID())).toBeNull();
    });
  });

  describe("webhook_metrics", () => {
    it("counts events by status, type and provider since a time, with retries and percentiles", async () => {
      const since = (await t.db.query<{ now: Date }>("select clock_timestamp() as now"))[0].now;
      // duration_ms is the last attempt's: route time before the database (elapsedMs) + time inside it
      await ingest({ provider: "stripe", eventType: "metrics.a", elapsedMs: 100 });
      await ingest({ provider: "stripe", eventType: "metrics.a", elapsedMs: 10_000 });
      await ingest({
        provider: "paystack",
        eventType: "metrics.b",
        elapsedMs: 300,
        action: noneAction("ignored", "recorded"),
      });
      const failed = await ingest({
        provider: "paystack",
        eventType: "metrics.b",
        elapsedMs: 200,
        action: failAction("x"),
      });
      await retryWebhookEvent(t.db, failed.id, failAction("still x"), "sweep");

      const m = await webhookMetrics(t.db, since, 3600);
      expect(m).toMatchObject({ total: 4, processed: 2, ignored: 1, failed: 1, received: 0, retries: 1 });
      expect([...m.by_type].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: "metrics.a", count: 2 },
        { key: "metrics.b", count: 2 },
      ]);
      expect([...m.by_provider].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: "paystack", count: 2 },
        { key: "stripe", count: 2 },
      ]);
      expect(m.series.reduce((s, b) => s + b.total, 0)).toBe(4);
      expect(m.series.reduce((s, b) => s + b.failed, 0)).toBe(1);
      expect(m.series_by_provider.reduce((s, b) => s + b.count, 0)).toBe(4);
      expect(m.p50_ms).toBeGreaterThanOrEqual(200); // between 100 and 300; the retried event's is ~0
      expect(m.p50_ms).toBeLessThan(1000);
      expect(m.p95_ms).toBeGreaterThan(5000);

      const [hour] = await t.db.query<{ finished: number; failed: number }>(
        `select count(*) filter (where status in ('processed', 'ignored', 'failed'))::int as finished,
                count(*) filter (where status = 'failed')::int as failed
           from public.webhook_events where received_at >= now() - interval '1 hour'`,
      );
      expect(m.last_hour).toMatchObject({ finished: hour.finished, failed: hour.failed });
      expect(m.last_hour.failure_rate).toBeCloseTo(hour.failed / hour.finished, 6);
    });

    it("returns zeros and empty lists when nothing arrived", async () => {
      const m = await webhookMetrics(t.db, new Date(Date.now() + 3_600_000), 60);
      expect(m).toMatchObject({
        total: 0,
        processed: 0,
        failed: 0,
        retries: 0,
        p50_ms: null,
        p95_ms: null,
        by_type: [],
        by_provider: [],
        series: [],
        series_by_type: [],
      });
    });

    describe("series_by_type", () => {
      // A database of its own, emptied before each test: the window has no upper
      // bound, so every event the suite above recorded would fall into it.
      const own = useTestDatabase(target);
      beforeEach(() => own.db.query("delete from public.webhook_events"));

      const since = new Date("2020-01-01T00:00:00Z");
      const at = (iso: string) => new Date(iso);
      /** n events of one type received at one instant. */
      const seed = (eventType: string, receivedAt: string, n = 1) =>
        own.db.query(
          `insert into public.webhook_events (provider, event_id, event_type, status, payload, received_at)
           select 'stripe', 'evt_' || gen_random_uuid(), $1, 'processed', '{}'::jsonb, $2::timestamptz
             from generate_series(1, $3::int)`,
          [eventType, receivedAt, n],
        );

      it("counts each type per bucket, from the window's first instant, and nothing before it", async () => {
        await seed("invoice.paid", "2020-01-01T00:00:00.000Z", 2); // the window's first instant: in
        await seed("invoice.paid", "2020-01-01T00:59:59.999Z"); // last instant of the first bucket
        await seed("invoice.paid", "2020-01-01T01:00:00.000Z"); // first instant of the second
        await seed("charge.refunded", "2020-01-01T01:30:00.000Z", 2);
        await seed("invoice.paid", "2019-12-31T23:59:59.999Z", 5); // a millisecond before the window: out

        const m = await webhookMetrics(own.db, since, 3600);
        expect(m.total).toBe(6);
        expect(m.series_by_type).toEqual([
          { bucket: at("2020-01-01T00:00:00Z"), event_type: "invoice.paid", count: 3 },
          { bucket: at("2020-01-01T01:00:00Z"), event_type: "invoice.paid", count: 1 },
          { bucket: at("2020-01-01T01:00:00Z"), event_type: "charge.refunded", count: 2 },
        ]);
      });

      it("charts the window's eight most frequent types and sums the rest per bucket as other (event_type null)", async () => {
        // type.01 × 10, type.02 × 9, … type.10 × 1 in the first hour
        for (let i = 1; i <= 10; i++) await seed(`type.${String(i).padStart(2, "0")}`, "2020-01-01T00:10:00Z", 11 - i);
        await seed("type.01", "2020-01-01T01:10:00Z");
        await seed("type.09", "2020-01-01T01:10:00Z"); // 3 in all, tied with type.08: the name decides, type.08 is charted
        await seed("type.10", "2020-01-01T01:10:00Z");
        await seed("type.00", "2019-12-31T23:59:59.999Z", 50); // most frequent of all, but before the window

        const m = await webhookMetrics(own.db, since, 3600);
        const first = at("2020-01-01T00:00:00Z");
        const second = at("2020-01-01T01:00:00Z");
        expect(m.series_by_type).toEqual([
          ...[10, 9, 8, 7, 6, 5, 4, 3].map((count, i) => ({
            bucket: first,
            event_type: `type.0${i + 1}`,
            count,
          })),
          { bucket: first, event_type: null, count: 3 }, // type.09 × 2 + type.10 × 1
          { bucket: second, event_type: "type.01", count: 1 },
          { bucket: second, event_type: null, count: 2 },
        ]);
        expect(m.series_by_type.reduce((s, b) => s + b.count, 0)).toBe(m.total);
      });
    });
  });
});
