/**
 * Outgoing webhooks (SPEC §6d) end to end on each engine: events written in
 * the transaction of their cause, once per cause; deliveries signed per
 * Standard Webhooks and verified here with the standardwebhooks package, as a
 * receiver would; retries on the schedule with the same webhook-id; leases so
 * two senders never send one attempt twice; rotation; replay; the database
 * down delays and loses nothing.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderPrometheusMetrics } from "@/lib/admin/prometheus";
import { DatabaseUnavailableError } from "@/lib/db/errors";
import { runRetention } from "@/lib/ops/retention";
import type { SqlDatabase } from "@/lib/db/port";
import {
  createWebhookEndpoint,
  getWebhookDelivery,
  listWebhookDeliveries,
  replayWebhookDelivery,
  rotateWebhookEndpointSecret,
  sendTestWebhookEvent,
  updateWebhookEndpoint,
} from "@/lib/db/rpc/outgoing-webhooks";
import { deliverWebhooks } from "@/lib/outgoing-webhooks/sender";
import { reversePurchaseCredits } from "../helpers/credit-rpc";
import { createUser, targets } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const open = { strict: false };

describe.each(targets)("outgoing webhooks on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });
  let receiver: WebhookReceiver;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => receiver?.close());

  beforeEach(async () => {
    // one endpoint per test: earlier tests' endpoints are disabled, so their deliveries do not interfere
    await t.db.query("update public.webhook_endpoints set enabled = false");
    receiver.received.length = 0;
    receiver.answers.length = 0;
    endpoint = await createWebhookEndpoint(t.db, receiver.url, ["credits.granted", "credits.reversed"], "test");
  });

  const dueNow = (db: SqlDatabase) =>
    db.query("update public.webhook_deliveries set next_attempt_at = now() where status = 'pending'");
  const verify = (secret: string, i: number) =>
    new Webhook(secret).verify(receiver.received[i].body, receiver.received[i].headers as Record<string, string>);

  it("sends a grant once, signed so that standardwebhooks verifies it, with the SPEC payload", async () => {
    const user = await createUser(t.db, `buyer-${unique()}@example.com`);
    const grant = await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits: 250 });
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);

    const event = verify(endpoint.secret, 0) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(event.type).toBe("credits.granted");
    expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    expect(event.data).toMatchObject({
      user_id: user,
      email: expect.stringMatching(/^buyer-/),
      credits: 250,
      balance: 250, // the wallet after the grant: the trigger fires after credit_ledger_to_wallet
      purchase_id: grant.purchase_id,
      provider: "stripe",
    });
    const headers = receiver.received[0].headers;
    expect(headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(Number(headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -1);
    expect(headers["content-type"]).toBe("application/json");
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(
        receiver.received[0].body,
        headers as Record<string, string>,
      ),
    ).toThrow();

    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 0 }); // nothing twice
    const [delivery] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1, last_status: 200, last_response: "ok" });
  });

  it("sends nothing for a redelivered provider event that grants nothing", async () => {
    const user = await createUser(t.db, `again-${unique()}@example.com`);
    const externalId = `cs_${unique()}`;
    expect((await grantStripePurchase(t.db, { externalId, userId: user })).outcome).toBe("granted");
    for (let i = 0; i < 3; i++) {
      expect((await grantStripePurchase(t.db, { externalId, userId: user })).outcome).toBe("duplicate");
    }
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it("sends credits.reversed for a refund, once however often the refund is redelivered", async () => {
    const user = await createUser(t.db, `refund-${unique()}@example.com`);
    const externalId = `pi_${unique()}`;
    await grantStripePurchase(t.db, { externalId, userId: user });
    for (let i = 0; i < 2; i++) {
      await reversePurchaseCredits(t.db, {
        provider: "stripe",
        externalId,
        kind: "refund",
        reference: "re_1",
        refundedMinor: 1000,
      });
    }
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 2, failed: 0 });
    const types = receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type).sort();
    expect(types).toEqual(["credits.granted", "credits.reversed"]);
    const reversed = receiver.received.map((r) => JSON.parse(r.body)).find((e) => e.type === "credits.reversed");
    expect(reversed.data).toMatchObject({ user_id: user, credits: 100, balance: 0, provider: "stripe" });
  });

  it("retries a 500 after 5 s with the same webhook-id and body, and records every attempt", async () => {
    receiver.answers.push({ status: 500, body: "x".repeat(5000) });
    const user = await createUser(t.db, `retry-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 1 });
    const [pending] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(pending).toMatchObject({ status: "pending", attempts: 1, last_status: 500 });
    const wait = pending.next_attempt_at.getTime() - Date.now();
    expect(wait).toBeGreaterThan(2_000);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 0 }); // not due yet

    await dueNow(t.db);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1].headers["webhook-id"]).toBe(receiver.received[0].headers["webhook-id"]);
    expect(receiver.received[1].body).toBe(receiver.received[0].body);
    verify(endpoint.secret, 1);

    const detail = await getWebhookDelivery(t.db, pending.id);
    expect(detail?.status).toBe("succeeded");
    expect(detail?.attempt_log.map((a) => [a.attempt, a.succeeded, a.response_status])).toEqual([
      [1, false, 500],
      [2, true, 200],
    ]);
    expect(detail?.attempt_log[0].response_body).toBe("x".repeat(1024)); // the first 1 KB of the answer
    expect(detail?.attempt_log[0].duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("follows the retry schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then keeps the delivery failed and replayable", async () => {
    receiver.answers.push(...Array.from({ length: 8 }, () => ({ status: 503 })));
    const user = await createUser(t.db, `schedule-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      await dueNow(t.db);
      expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 1 });
      const [row] = await t.db.query<{ status: string; wait: number }>(
        `select status, round(extract(epoch from next_attempt_at - now()))::int as wait
           from public.webhook_deliveries where endpoint_id = $1`,
        [endpoint.id],
      );
      if (attempt < 8) waits.push(row.wait);
      else expect(row.status).toBe("failed");
    }
    expect(waits.map((w) => Math.round(w / 5) * 5)).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 0 });

    const [failed] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 8, last_status: 503 });
    expect(await replayWebhookDelivery(t.db, failed.id)).toBe(true);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect((await getWebhookDelivery(t.db, failed.id))?.status).toBe("succeeded");
  });

  it("never sends one attempt twice when two senders run at once", async () => {
    const user = await createUser(t.db, `two-${unique()}@example.com`);
    for (let i = 0; i < 30; i++)
      await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits: 1 });
    receiver.answers.push(...Array.from({ length: 30 }, () => ({ status: 200, delayMs: 20 })));
    const reports = await Promise.all([
      deliverWebhooks(t.db, { ...open, batch: 4 }),
      deliverWebhooks(t.db, { ...open, batch: 4 }),
    ]);
    expect(reports[0].succeeded + reports[1].succeeded).toBe(30);
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const [attempts] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from public.webhook_delivery_attempts a join public.webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1",
      [endpoint.id],
    );
    expect(attempts.n).toBe(30);
  });

  it("signs with both secrets for 24 h after a rotation", async () => {
    const rotated = await rotateWebhookEndpointSecret(t.db, endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(rotated.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    const user = await createUser(t.db, `rotate-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await deliverWebhooks(t.db, open);
    expect(String(receiver.received[0].headers["webhook-signature"]).split(" ")).toHaveLength(2);
    verify(endpoint.secret, 0);
    verify(rotated.secret, 0);

    // after the 24 h only the new secret signs
    await t.db.query(
      "update public.webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = $1",
      [endpoint.id],
    );
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await deliverWebhooks(t.db, open);
    expect(String(receiver.received[1].headers["webhook-signature"]).split(" ")).toHaveLength(1);
    verify(rotated.secret, 1);
    expect(() => verify(endpoint.secret, 1)).toThrow();
  });

  it("sends an endpoint only the types it chose, nothing while disabled, and a test event on request", async () => {
    await updateWebhookEndpoint(t.db, endpoint.id, { eventTypes: ["credits.reversed"] });
    const user = await createUser(t.db, `types-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 0 });

    await updateWebhookEndpoint(t.db, endpoint.id, { eventTypes: ["credits.granted"], enabled: false });
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    const testDelivery = await sendTestWebhookEvent(t.db, endpoint.id);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 0, failed: 0 }); // the test event waits too

    await updateWebhookEndpoint(t.db, endpoint.id, { enabled: true });
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
    expect((verify(endpoint.secret, 0) as { type: string }).type).toBe("webhook.test");
    expect((await getWebhookDelivery(t.db, testDelivery))?.status).toBe("succeeded");
  });

  it("refuses bad endpoints with a clear error and writes nothing", async () => {
    const count = async () =>
      (await t.db.query<{ n: number }>("select count(*)::int as n from public.webhook_endpoints"))[0].n;
    const before = await count();
    await expect(createWebhookEndpoint(t.db, "ftp://example.com/x", ["credits.granted"])).rejects.toThrow(/http/);
    await expect(createWebhookEndpoint(t.db, "https://example.com/x", [])).rejects.toThrow(/at least one/);
    await expect(createWebhookEndpoint(t.db, "https://example.com/x", ["credits.stolen"])).rejects.toThrow(
      /unknown event type/,
    );
    expect(await count()).toBe(before);
  });

  it("exposes deliveries by outcome and how long each endpoint has been failing on /api/metrics", async () => {
    receiver.answers.push({ status: 500 });
    const user = await createUser(t.db, `metrics-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await deliverWebhooks(t.db, open);
    await t.db.query(
      `update public.webhook_delivery_attempts set started_at = now() - interval '61 minutes'
        where delivery_id in (select id from public.webhook_deliveries where endpoint_id = $1)`,
      [endpoint.id],
    );
    const failing = await renderPrometheusMetrics(t.db);
    expect(failing.body).toMatch(
      new RegExp(`outgoing_webhook_endpoint_failing_seconds\\{endpoint="${endpoint.id}"\\} 36[6-9]\\d`),
    );
    expect(failing.body).toMatch(/outgoing_webhook_deliveries_last_24h\{status="pending"\} [1-9]/);
    expect(failing.body).toMatch(/outgoing_webhook_attempts_last_24h\{outcome="failed"\} [1-9]/);

    await dueNow(t.db);
    await deliverWebhooks(t.db, open);
    const healthy = await renderPrometheusMetrics(t.db);
    expect(healthy.body).toContain(`outgoing_webhook_endpoint_failing_seconds{endpoint="${endpoint.id}"} 0`);
  });

  it("purges finished events past the retention period with their deliveries, and keeps pending ones", async () => {
    const user = await createUser(t.db, `purge-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await deliverWebhooks(t.db, open);
    receiver.answers.push({ status: 500 });
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await deliverWebhooks(t.db, open);
    const [before] = await listWebhookDeliveries(t.db, endpoint.id);
    expect(before.status).toBe("pending");
    const ids = await t.db.query<{ id: string }>(
      "select event_id as id from public.webhook_deliveries where endpoint_id = $1",
      [endpoint.id],
    );
    await t.db.query("update public.outgoing_events set created_at = now() - interval '91 days' where id = any($1)", [
      ids.map((r) => r.id),
    ]);
    const result = await runRetention(t.db, { payloadRetentionDays: 90 });
    expect(result.outgoingEventsPurged).toBeGreaterThanOrEqual(1);
    const left = await listWebhookDeliveries(t.db, endpoint.id);
    expect(left.map((d) => d.status)).toEqual(["pending"]); // the delivered one went, the one still retrying stays
  });

  it("delays deliveries while the database is down and loses none", async () => {
    const user = await createUser(t.db, `outage-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    const down: SqlDatabase = {
      ...t.db,
      mode: t.db.mode,
      rpc: async () => {
        throw new DatabaseUnavailableError("connection refused");
      },
    };
    await expect(deliverWebhooks(down, open)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(receiver.received).toHaveLength(0);
    expect(await deliverWebhooks(t.db, open)).toEqual({ succeeded: 1, failed: 0 });
  });
});
