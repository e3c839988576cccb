/**
 * Stripe reconciliation against a local fake of Stripe's events API
 * (STRIPE_API_BASE): events that were never delivered are recorded through the
 * same pipeline and marked reconciled; events delivered before or during the
 * run are not recorded twice; pages are followed with starting_after; two runs,
 * in a row or at once, and live deliveries beside them, grant once.
 * PGlite, and a Postgres server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { GET as cronSweep } from "@/app/api/cron/webhooks/route";
import { getStripe } from "@/lib/checkout/stripe-client";
import { opsJobWatermark } from "@/lib/db/rpc/ops";
import { ingestFetchedEvent } from "@/lib/ingest/fetched-event";
import { OVERLAP_SECONDS, RECONCILE_JOB, reconcileStripeEvents } from "@/lib/ops/stripe-reconcile";
import { stripeProvider } from "@/lib/providers/stripe";
import { STRIPE_HANDLED_TYPES } from "@/lib/providers/stripe/handle";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";
import { startFakeStripeApi, type FakeStripeApi, type ListedEvent } from "../helpers/stripe-api";

const SECRET_KEY = "sk_test_reconcile_0123456789";
let api: FakeStripeApi;

beforeAll(async () => {
  api = await startFakeStripeApi();
});
afterAll(() => api.close());

describe.each(targets)("Stripe reconciliation on %s", (target) => {
  const t = useRouteSuite(target, () => ({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_API_BASE: api.origin,
    CRON_SECRET: "cron-secret-for-tests",
  }));

  beforeEach(async () => {
    api.events = [];
    api.queries.length = 0;
    api.beforePage = undefined;
    // each case starts without a watermark, so runs look back over the default window
    await t.db.query("delete from ops_jobs");
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** A paid checkout for `credits` credits to `user`, created `ago` seconds ago. */
  const purchaseEvent = (user: string, credits: number, ago = 60): ListedEvent =>
    stripeEvent(
      "checkout.session.completed",
      checkoutSession({ client_reference_id: user, metadata: { credits: String(credits) } }),
      {
        created: now() - ago,
      },
    );
  const deliver = async (event: object) => (await POST(signedRequest(event))).status;
  const rowOf = async (eventId: string) =>
    (
      await t.db.query<{ status: string; source: string; triggers: string[] }>(
        // the attempt history as the admin page reads it (a first delivery that succeeded has no attempts row)
        `select e.status, e.source,
                array(select l ->> 'trigger' from jsonb_array_elements(get_webhook_event(e.id) -> 'attempt_log') l) triggers
           from webhook_events e where provider = 'stripe' and event_id = $1`,
        [eventId],
      )
    )[0];
  const reconcile = (options: Parameters<typeof reconcileStripeEvents>[2] = {}) =>
    reconcileStripeEvents(t.db, getStripe(), options);

  it("records events that were never delivered through the pipeline, marked reconciled, and leaves delivered ones alone", async () => {
    const user = await createUser(t.db, `${uid("missed")}@example.com`);
    const delivered = purchaseEvent(user, 10, 300);
    const missedA = purchaseEvent(user, 20, 200);
    const missedB = purchaseEvent(user, 40, 100);
    api.events = [delivered, missedA, missedB];
    expect(await deliver(delivered)).toBe(200);

    const result = await reconcile();
    expect(result).toMatchObject({ listed: 3, known: 1, reconciled: 2, raced: 0, malformed: 0, pages: 1 });
    expect(await balanceOf(t.db, user)).toBe(70);
    expect(await rowOf(missedA.id)).toEqual({ status: "processed", source: "reconcile", triggers: ["reconcile"] });
    expect(await rowOf(missedB.id)).toMatchObject({ source: "reconcile" });
    expect(await rowOf(delivered.id)).toEqual({ status: "processed", source: "delivery", triggers: ["delivery"] });

    // what was asked: our key, only the types we handle, created after the default 3-day lookback
    const [query] = api.queries;
    expect(query.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect([...query.types].sort()).toEqual([...STRIPE_HANDLED_TYPES].sort());
    expect(query.createdGt).toBeGreaterThanOrEqual(now() - 3 * 86_400 - 5);
    expect(query.createdGt).toBeLessThanOrEqual(now() - 3 * 86_400 + 5);

    // the admin log shows the source
    const listed = await t.db.query<{ event_id: string; source: string }>(
      "select event_id, source from list_webhook_events(p_q => $1)",
      [missedA.id],
    );
    expect(listed).toEqual([{ event_id: missedA.id, source: "reconcile" }]);
  });

  it("fails a reconciled event it cannot act on exactly as a delivery would (stored, retryable)", async () => {
    const user = await createUser(t.db, `${uid("nopack")}@example.com`);
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ client_reference_id: user, metadata: { package_id: "no-such-pack" } }),
      {
        created: now() - 30,
      },
    );
    api.events = [event];
    await reconcile();
    const row = await t.db.query<{ status: string; source: string; last_error: string }>(
      "select status, source, last_error from webhook_events where event_id = $1",
      [event.id],
    );
    expect(row[0]).toMatchObject({
      status: "failed",
      source: "reconcile",
      last_error: expect.stringMatching(/package/),
    });
  });

  it("follows starting_after across pages and records every missing event once", async () => {
    const user = await createUser(t.db, `${uid("pages")}@example.com`);
    api.events = Array.from({ length: 7 }, (_, i) => purchaseEvent(user, 1 + i, 500 - i * 10));
    const result = await reconcile({ pageSize: 3 });
    expect(result).toMatchObject({ pages: 3, listed: 7, reconciled: 7 });
    expect(api.queries.map((q) => q.startingAfter)).toEqual([
      null,
      expect.stringMatching(/^evt_/),
      expect.stringMatching(/^evt_/),
    ]);
    // newest first: each page continues after the last (oldest) event of the one before
    const newestFirst = [...api.events].sort((a, b) => b.created - a.created);
    expect(api.queries[1].startingAfter).toBe(newestFirst[2].id);
    expect(api.queries[2].startingAfter).toBe(newestFirst[5].id);
    expect(await balanceOf(t.db, user)).toBe(1 + 2 + 3 + 4 + 5 + 6 + 7);
  });

  it("does not record twice an event delivered while the run is going (before and after it read the page)", async () => {
    const user = await createUser(t.db, `${uid("during")}@example.com`);
    const events = Array.from({ length: 4 }, (_, i) => purchaseEvent(user, 100, 400 - i * 10));
    api.events = events;
    const newestFirst = [...events].sort((a, b) => b.created - a.created);
    // Stripe delivers the newest event just as page 2 is requested, i.e. after page 1 (which lists it) was read
    api.beforePage = async (_query, page) => {
      if (page === 2) expect(await deliver(newestFirst[0])).toBe(200);
      if (page === 1) expect(await deliver(newestFirst[3])).toBe(200); // delivered before its page is read
    };
    const result = await reconcile({ pageSize: 2 });
    expect(result).toMatchObject({ listed: 4, known: 1 });
    expect(result.reconciled + result.raced).toBe(3);
    expect(await balanceOf(t.db, user)).toBe(400);
    const rows = await t.db.query<{ n: string }>("select count(*) n from webhook_events where event_id = any($1)", [
      events.map((e) => e.id),
    ]);
    expect(Number(rows[0].n)).toBe(4);
  });

  it("loses the race cleanly: a delivery that recorded the event first keeps it (duplicate, not marked reconciled)", async () => {
    const user = await createUser(t.db, `${uid("race")}@example.com`);
    const event = purchaseEvent(user, 25);
    expect(await deliver(event)).toBe(200);
    const outcome = await ingestFetchedEvent(t.db, stripeProvider, { id: event.id, type: event.type, payload: event });
    expect(outcome).toMatchObject({ duplicate: true, status: "processed" });
    expect(await rowOf(event.id)).toEqual({ status: "processed", source: "delivery", triggers: ["delivery"] });
    expect(await balanceOf(t.db, user)).toBe(25);
  });

  it("is safe twice in a row: the second run records nothing and starts from the watermark minus the overlap", async () => {
    const user = await createUser(t.db, `${uid("twice")}@example.com`);
    const events = [purchaseEvent(user, 5, 120), purchaseEvent(user, 6, 60)];
    api.events = events;
    expect(await reconcile()).toMatchObject({ reconciled: 2 });
    const watermark = await opsJobWatermark(t.db, RECONCILE_JOB);
    expect(watermark?.getTime()).toBe(Math.max(...events.map((e) => e.created)) * 1000);

    const second = await reconcile();
    expect(second).toMatchObject({ listed: 2, known: 2, reconciled: 0, raced: 0 });
    expect(api.queries[1].createdGt).toBe(Math.max(...events.map((e) => e.created)) - OVERLAP_SECONDS);
    expect(await balanceOf(t.db, user)).toBe(11);
  });

  it("is safe concurrently: two runs and live deliveries of the same events grant each payment once", async () => {
    const user = await createUser(t.db, `${uid("concurrent")}@example.com`);
    const events = Array.from({ length: 6 }, (_, i) => purchaseEvent(user, 10 ** i, 600 - i * 10));
    api.events = events;
    const results = await Promise.all([
      reconcile({ pageSize: 2 }),
      reconcile({ pageSize: 4 }),
      ...events.filter((_, i) => i % 2 === 0).map((e) => deliver(e)),
    ]);
    expect(await balanceOf(t.db, user)).toBe(111_111);
    const rows = await t.db.query<{ source: string }>("select source from webhook_events where event_id = any($1)", [
      events.map((e) => e.id),
    ]);
    expect(rows).toHaveLength(6);
    const [a, b] = results as Array<Awaited<ReturnType<typeof reconcile>>>;
    expect(a.reconciled + b.reconciled).toBe(rows.filter((r) => r.source === "reconcile").length);
  });

  it("--since overrides the watermark", async () => {
    const user = await createUser(t.db, `${uid("since")}@example.com`);
    api.events = [purchaseEvent(user, 1, 10 * 86_400)]; // 10 days old: before the default window
    expect(await reconcile()).toMatchObject({ listed: 0 });
    const since = new Date(Date.now() - 12 * 86_400_000);
    expect(await reconcile({ since })).toMatchObject({ listed: 1, reconciled: 1 });
    expect(api.queries.at(-1)?.createdGt).toBe(Math.floor(since.getTime() / 1000));
  });

  it("runs from the cron sweep when STRIPE_SECRET_KEY is set, once per interval across calls", async () => {
    const user = await createUser(t.db, `${uid("cron")}@example.com`);
    api.events = [purchaseEvent(user, 9)];
    const sweep = async () => {
      const response = await cronSweep(
        new Request("http://localhost/api/cron/webhooks", {
          headers: { authorization: "Bearer cron-secret-for-tests" },
        }),
      );
      expect(response.status).toBe(200);
      return (await response.json()) as { reconcile: unknown; retention: unknown; alerts: unknown; attempted: number };
    };
    const first = await sweep();
    expect(first.reconcile).toMatchObject({ reconciled: 1 });
    expect(first).toMatchObject({
      attempted: expect.any(Number),
      retention: { payloadsPruned: 0 },
      alerts: { opened: [] },
    });
    expect((await sweep()).reconcile).toBe("not due");
    expect(await balanceOf(t.db, user)).toBe(9);
  });

  it("a Stripe API failure fails the run without moving the watermark", async () => {
    api.beforePage = () => {
      throw new Error("boom");
    };
    await expect(reconcile()).rejects.toThrow();
    expect(await opsJobWatermark(t.db, RECONCILE_JOB)).toBeNull();
  });
});
