/**
 * When failed events are tried again: the backoff schedule the SQL writes
 * (first retry after 30 s, doubling, capped at 6 h, 12 attempts in all, as the
 * README says), the sweep honouring it, and the in-process retry timer that
 * runs the sweep in development.
 */
import { afterEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { claimDueWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { resetEnvCache } from "@/lib/env";
import { MAX_ATTEMPTS, retryEvent, runRetrySweep } from "@/lib/ingest/retry";
import { startRetryTimer, stopRetryTimer } from "@/lib/ingest/retry-timer";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";

/** Seconds from one failed attempt to the next try: 30 s doubling, at most 6 h. */
/** Seconds from each failed attempt to the next; the 12th and last failure schedules none (null). */
const EXPECTED_DELAYS = [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, null];

describe.each(targets)("retry schedule on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));

  /** A paid checkout for a pack that does not exist (yet): stored failed. Returns the event row id. */
  async function failedEvent(userId: string | null = null): Promise<{ id: string; pack: string }> {
    const pack = uid("pack");
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ client_reference_id: userId, metadata: { package_id: pack } }),
    );
    expect((await POST(signedRequest(event))).status).toBe(200);
    const [row] = await t.db.query<{ id: string; status: string }>(
      "select id, status from webhook_events where event_id = $1",
      [event.id],
    );
    expect(row.status).toBe("failed");
    return { id: row.id, pack };
  }
  const state = async (id: string) =>
    (
      await t.db.query<{ attempts: number; delay: string | null; status: string }>(
        `select attempts, status, round(extract(epoch from next_attempt_at - processed_at))::text as delay
           from webhook_events where id = $1`,
        [id],
      )
    )[0];
  const makeDue = (id: string) =>
    t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where id = $1", [id]);

  it("waits 30 s after the first failure, doubling each time up to 6 h, and stops after 12 attempts", async () => {
    const { id } = await failedEvent();
    const delays: Array<number | null> = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const row = await state(id);
      expect(row).toMatchObject({ attempts: attempt, status: "failed" });
      delays.push(row.delay === null ? null : Number(row.delay));
      if (attempt < MAX_ATTEMPTS) expect((await retryEvent(t.db, id, "sweep")).status).toBe("failed");
    }
    expect(delays).toEqual(EXPECTED_DELAYS);

    // Out of attempts: no next attempt is scheduled (the sweep's index holds only events it may claim),
    // and even made due by hand the sweep leaves it to an admin.
    expect((await state(id)).delay).toBeNull();
    await makeDue(id);
    expect((await claimDueWebhookEvents(t.db, 500, MAX_ATTEMPTS)).map((e) => e.id)).not.toContain(id);
  });

  it("agrees with the database on the number of attempts", async () => {
    const [row] = await t.db.query<{ max: number }>("select private.webhook_max_attempts() as max");
    expect(row.max).toBe(MAX_ATTEMPTS);
  });

  it("retries in the sweep only once the backoff has passed", async () => {
    const { id } = await failedEvent();
    await runRetrySweep(t.db, { limit: 500 });
    expect((await state(id)).attempts).toBe(1); // not due for 30 s: left alone

    await makeDue(id);
    await runRetrySweep(t.db, { limit: 500 });
    expect(await state(id)).toMatchObject({ attempts: 2, status: "failed", delay: "60" });
  });
});

describe("the in-process retry timer", () => {
  const t = useRouteSuite("pglite", () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  afterEach(() => {
    stopRetryTimer();
    delete process.env.WEBHOOK_RETRY_INTERVAL_MS;
    Object.assign(process.env, { NODE_ENV: "test" });
    resetEnvCache();
  });

  it("sweeps due failed events by itself: the credits arrive once the missing pack exists", async () => {
    const user = await createUser(t.db, `${uid("timer")}@example.com`);
    const pack = uid("pack");
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ client_reference_id: user, metadata: { package_id: pack } }),
    );
    await POST(signedRequest(event));
    await t.db.query(
      "insert into credit_packages (id, name, credits, amount_minor, currency) values ($1, $1, 77, 500, 'usd')",
      [pack],
    );
    await t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where event_id = $1", [
      event.id,
    ]);

    process.env.WEBHOOK_RETRY_INTERVAL_MS = "50";
    resetEnvCache();
    startRetryTimer();
    // wait for the outcome (not a timing assertion): the timer, not this test, runs the sweep
    for (let i = 0; i < 200 && (await t.eventRow("stripe", event.id))?.status !== "processed"; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await t.eventRow("stripe", event.id)).toMatchObject({ status: "processed", attempts: 2 });
    expect(await balanceOf(t.db, user)).toBe(77);
    const [attempt] = await t.db.query<{ trigger: string }>(
      "select a.trigger from webhook_event_attempts a join webhook_events e on e.id = a.event_id where e.event_id = $1 and a.attempt = 2",
      [event.id],
    );
    expect(attempt.trigger).toBe("sweep");
  });

  it("is off in production unless WEBHOOK_RETRY_INTERVAL_MS is set, and off at 0", async () => {
    const { id } = await (async () => {
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ metadata: { package_id: uid("pack") } }),
      );
      await POST(signedRequest(event));
      return { id: event.id };
    })();
    await t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where event_id = $1", [
      id,
    ]);
    for (const env of [{ NODE_ENV: "production" }, { NODE_ENV: "test", WEBHOOK_RETRY_INTERVAL_MS: "0" }]) {
      Object.assign(process.env, env);
      resetEnvCache();
      startRetryTimer();
      await new Promise((r) => setTimeout(r, 300)); // several 50 ms periods, had a timer been started
      expect((await t.eventRow("stripe", id))?.attempts).toBe(1);
      stopRetryTimer();
    }
  });
});
