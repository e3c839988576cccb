/**
 * Retention (the sweep's runRetention): payloads of old events are set to null
 * in bounded batches and nothing else changes; a pruned event still dedupes and
 * cannot be retried (clear message, no crash); old sign-in rate-limit counters
 * and old sent mails are purged. PGlite, and a server when DATABASE_URL is set.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { failAction, noneAction } from "@/lib/db/actions";
import type { Session } from "@/lib/auth";
import { retryAllFailedAsAdmin, retryEventAsAdmin } from "@/lib/admin/retry";
import { claimDueWebhookEvents, getWebhookEvent, ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { PayloadPrunedError, retryEvent, MAX_ATTEMPTS } from "@/lib/ingest/retry";
import { runRetention } from "@/lib/ops/retention";
import { targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { uid } from "../helpers/stripe";

const ADMIN: Session = {
  userId: "00000000-0000-4000-8000-000000000001",
  email: "admin@example.com",
  isAdmin: true,
  emailConfirmed: true,
};

describe.each(targets)("retention on %s", (target) => {
  const t = useRouteSuite(target, () => ({}));

  beforeEach(async () => {
    await t.db.query("delete from webhook_events");
    await t.db.query("delete from ops_jobs");
  });

  /** An event recorded as a delivery would be, then moved `daysAgo` into the past. */
  async function event(daysAgo: number, plan: "ok" | "fail" = "ok"): Promise<{ id: string; eventId: string }> {
    const eventId = uid("evt");
    const result = await ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId,
      eventType: "checkout.session.completed",
      payload: { id: eventId, data: { object: { customer_email: "someone@example.com" } } },
      action: plan === "ok" ? noneAction("processed", "recorded") : failAction("unknown package: gold"),
      email: "someone@example.com",
      externalId: uid("pi"),
    });
    await t.db.query("update webhook_events set received_at = received_at - make_interval(days => $2) where id = $1", [
      result.id,
      daysAgo,
    ]);
    return { id: result.id, eventId };
  }

  /** Every column but the payload's, and the event's attempts: what retention must not touch. */
  const kept = () =>
    t.db.query(
      `select e.id, e.provider, e.event_id, e.event_type, e.status, e.attempts, e.last_error, e.outcome, e.email, e.external_id,
              e.received_at, e.processed_at, e.duration_ms, e.source,
              (select json_agg(a order by a.attempt) from webhook_event_attempts a where a.event_id = e.id) attempt_log
         from webhook_events e order by e.id`,
    );
  const withPayload = async () =>
    Number((await t.db.query<{ n: string }>("select count(*) n from webhook_events where payload is not null"))[0].n);

  it("prunes the payloads of events older than the retention, a bounded number of batches per sweep, and changes nothing else", async () => {
    const old = await Promise.all(Array.from({ length: 7 }, (_, i) => event(91 + i, i % 3 === 0 ? "fail" : "ok")));
    const recent = await Promise.all([event(89), event(1), event(0)]);
    const before = await kept();

    expect(await runRetention(t.db, { payloadRetentionDays: 90, batch: 3, maxBatches: 2 })).toMatchObject({
      payloadsPruned: 6,
    });
    expect(await withPayload()).toBe(4);
    expect(await runRetention(t.db, { payloadRetentionDays: 90, batch: 3, maxBatches: 2 })).toMatchObject({
      payloadsPruned: 1,
    });
    expect(await runRetention(t.db, { payloadRetentionDays: 90, batch: 3, maxBatches: 2 })).toMatchObject({
      payloadsPruned: 0,
    });

    expect(await kept()).toEqual(before);
    const rows = await t.db.query<{ id: string; pruned: boolean; next_attempt_at: Date | null }>(
      "select id, payload is null and payload_pruned_at is not null as pruned, next_attempt_at from webhook_events",
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const e of old) expect(byId.get(e.id)).toMatchObject({ pruned: true, next_attempt_at: null });
    for (const e of recent) expect(byId.get(e.id)?.pruned).toBe(false);
  });

  it("honours WEBHOOK_PAYLOAD_RETENTION_DAYS-style settings other than 90", async () => {
    await event(10);
    await event(3);
    const now = new Date();
    expect(await runRetention(t.db, { payloadRetentionDays: 7, now })).toMatchObject({ payloadsPruned: 1 });
    expect(await withPayload()).toBe(1);
    // the range up to the cutoff was read to its end: the next batch starts at the cutoff, not at the oldest row
    const [job] = await t.db.query<{ watermark: Date }>(
      "select watermark from ops_jobs where name = 'webhook_payload_retention'",
    );
    expect(job.watermark.getTime()).toBe(now.getTime() - 7 * 86_400_000);
  });

  it("keeps dedupe for a pruned event, and refuses to retry it with a clear message instead of crashing", async () => {
    const failed = await event(120, "fail");
    await runRetention(t.db, { payloadRetentionDays: 90 });

    const again = await ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId: failed.eventId,
      eventType: "checkout.session.completed",
      payload: { id: failed.eventId },
      action: noneAction("processed", "recorded"),
    });
    expect(again).toMatchObject({ duplicate: true, id: failed.id, status: "failed" });

    await expect(retryEvent(t.db, failed.id, "admin")).rejects.toBeInstanceOf(PayloadPrunedError);
    expect(await retryEventAsAdmin(ADMIN, failed.id)).toEqual({
      ok: false,
      message: expect.stringMatching(/payload was pruned by retention/),
    });
    expect(await retryAllFailedAsAdmin(ADMIN)).toEqual({ ok: true, message: "There are no failed events to retry." });
    // off the retry schedule: the sweep never leases it
    expect(await claimDueWebhookEvents(t.db, 50, MAX_ATTEMPTS)).toEqual([]);
    const detail = await getWebhookEvent(t.db, failed.id);
    expect(detail).toMatchObject({ payload: null, payload_pruned_at: expect.any(Date), status: "failed", attempts: 1 });
  });

  it("two sweeps pruning at once prune each payload once", async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => event(100 + i)));
    const results = await Promise.all([
      runRetention(t.db, { payloadRetentionDays: 90, batch: 2, maxBatches: 50 }),
      runRetention(t.db, { payloadRetentionDays: 90, batch: 2, maxBatches: 50 }),
    ]);
    // one may find the other pruning (advisory lock) and stop early; together they prune all 12, each once
    expect(await withPayload()).toBe(0);
    expect(results[0].payloadsPruned + results[1].payloadsPruned).toBeLessThanOrEqual(12);
    expect(await runRetention(t.db, { payloadRetentionDays: 90 })).toMatchObject({ payloadsPruned: 0 });
  });

  it("purges sign-in rate-limit counters whose window started over a day ago", async () => {
    await t.db.query("delete from auth_rate_limits");
    await t.db.query(
      `insert into auth_rate_limits (scope, key_hash, failures, window_started_at) values
         ('signin:ip', 'old-ip', 3, now() - interval '2 days'), ('signin:email_ip', 'old-email', 9, now() - interval '25 hours'),
         ('signup:ip', 'current', 1, now() - interval '10 minutes')`,
    );
    expect(await runRetention(t.db, { payloadRetentionDays: 90, batch: 1 })).toMatchObject({ rateLimitsPurged: 2 });
    expect(await t.db.query("select key_hash from auth_rate_limits")).toEqual([{ key_hash: "current" }]);
  });

  it("purges mails sent over 30 days ago once the outbox exists (and does nothing before)", async () => {
    const exists =
      (await t.db.query<{ t: string | null }>("select to_regclass('public.email_outbox')::text t"))[0].t !== null;
    if (!exists) {
      expect(await runRetention(t.db, { payloadRetentionDays: 90 })).toMatchObject({ mailsPurged: 0 });
      // the outbox as SPEC §3 names it (issue 11 creates the real one; this is a no-op then)
      await t.db.query(
        `create table if not exists public.email_outbox (
           id uuid primary key default gen_random_uuid(), to_email text not null, subject text not null,
           body_text text not null, created_at timestamptz not null default now(), sent_at timestamptz)`,
      );
    }
    await t.db.query("delete from email_outbox");
    await t.db.query(
      `insert into email_outbox (to_email, subject, body_text, created_at, sent_at) values
         ('a@example.com', 'old, sent', 'x', now() - interval '40 days', now() - interval '40 days'),
         ('b@example.com', 'recent, sent', 'x', now() - interval '2 days', now() - interval '2 days'),
         ('c@example.com', 'old, never sent', 'x', now() - interval '40 days', null)`,
    );
    expect(await runRetention(t.db, { payloadRetentionDays: 90 })).toMatchObject({ mailsPurged: 1 });
    expect(
      (await t.db.query<{ subject: string }>("select subject from email_outbox order by subject")).map(
        (r) => r.subject,
      ),
    ).toEqual(["old, never sent", "recent, sent"]);
  });
});
