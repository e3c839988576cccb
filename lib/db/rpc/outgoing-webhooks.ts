/**
 * Typed calls of supabase/schemas/095_outgoing_webhooks.sql: endpoints (admin),
 * the delivery outbox (sender), low-balance thresholds and the metrics. Events
 * themselves are written by SQL, in the transaction of their cause.
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

/** The event types an endpoint may subscribe to (SPEC §6d); webhook.test is the admin's test event. */
export const OUTGOING_EVENT_TYPES = [
  "credits.granted",
  "credits.reversed",
  "balance.low",
  "balance.recovered",
  "hold.expired",
  "topup.succeeded",
  "topup.failed",
] as const;
export type OutgoingEventType = (typeof OUTGOING_EVENT_TYPES)[number];

const created = z.object({ id: uuid, secret: z.string().startsWith("whsec_") });
export type EndpointSecret = z.infer<typeof created>;

export async function createWebhookEndpoint(
  db: Database,
  url: string,
  eventTypes: readonly string[],
  description?: string | null,
): Promise<EndpointSecret> {
  return created.parse(
    await db.rpc("create_webhook_endpoint", {
      p_url: url,
      p_event_types: [...eventTypes],
      p_description: description ?? null,
    }),
  );
}

export interface EndpointChange {
  eventTypes?: readonly string[];
  description?: string | null;
  enabled?: boolean;
}

export async function updateWebhookEndpoint(db: Database, id: string, change: EndpointChange): Promise<void> {
  await db.rpc("update_webhook_endpoint", {
    p_id: id,
    p_event_types: change.eventTypes ? [...change.eventTypes] : null,
    p_description: change.description === undefined ? null : (change.description ?? ""),
    p_enabled: change.enabled ?? null,
  });
}

export async function rotateWebhookEndpointSecret(db: Database, id: string): Promise<EndpointSecret> {
  return created.parse(await db.rpc("rotate_webhook_endpoint_secret", { p_id: id }));
}

const endpoint = z.object({
  id: uuid,
  url: z.string(),
  description: z.string().nullable(),
  event_types: z.array(z.string()),
  enabled: z.boolean(),
  created_at: timestamp,
  rotating_until: timestamp.nullable(),
  pending: int,
  failed: int,
  succeeded: int,
});
export type WebhookEndpoint = z.infer<typeof endpoint>;

export async function listWebhookEndpoints(db: Database): Promise<WebhookEndpoint[]> {
  return z.array(endpoint).parse(await db.rpc("list_webhook_endpoints", {}));
}

const deliveryStatus = z.enum(["pending", "succeeded", "failed"]);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

const delivery = z.object({
  id: uuid,
  endpoint_id: uuid,
  url: z.string(),
  event_id: uuid,
  webhook_id: z.string(),
  type: z.string(),
  status: deliveryStatus,
  attempts: int,
  next_attempt_at: timestamp,
  last_attempt_at: timestamp.nullable(),
  last_status: int.nullable(),
  last_error: z.string().nullable(),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
  last_response: z.string().nullable(),
});
export type WebhookDelivery = z.infer<typeof delivery>;

export async function listWebhookDeliveries(
  db: Database,
  endpointId: string | null = null,
  limit = 50,
): Promise<WebhookDelivery[]> {
  return z
    .array(delivery)
    .parse(await db.rpc("list_webhook_deliveries", { p_endpoint_id: endpointId, p_limit: limit }));
}

const attempt = z.object({
  attempt: int,
  started_at: timestamp,
  duration_ms: int,
  succeeded: z.boolean(),
  response_status: int.nullable(),
  response_body: z.string().nullable(),
  error: z.string().nullable(),
});
const deliveryDetail = delivery.omit({ last_attempt_at: true, last_response: true }).extend({
  data: z.record(z.string(), z.unknown()),
  attempt_log: z.array(attempt),
});
export type WebhookDeliveryDetail = z.infer<typeof deliveryDetail>;

export async function getWebhookDelivery(db: Database, id: string): Promise<WebhookDeliveryDetail | null> {
  const row = await db.rpc("get_webhook_delivery", { p_id: id });
  return row === null ? null : deliveryDetail.parse(row);
}

/** False when the delivery is unknown or an attempt of it is in flight. */
export async function replayWebhookDelivery(db: Database, id: string): Promise<boolean> {
  return z.boolean().parse(await db.rpc("replay_webhook_delivery", { p_id: id }));
}

/** Queues a webhook.test event for one endpoint; returns the delivery id. */
export async function sendTestWebhookEvent(db: Database, endpointId: string): Promise<string> {
  return uuid.parse(await db.rpc("send_test_webhook_event", { p_endpoint_id: endpointId }));
}

const claimed = z.array(
  z.object({
    id: uuid,
    attempt: int,
    endpoint_id: uuid,
    url: z.string(),
    webhook_id: z.string(),
    type: z.string(),
    body: z.string(),
    secrets: z.array(z.string()).min(1),
  }),
);
export type ClaimedDelivery = z.infer<typeof claimed>[number];

/** Due deliveries for this sender, each with attempts + 1 and a lease. */
export async function claimWebhookDeliveries(db: Database, limit = 20, leaseSeconds = 60): Promise<ClaimedDelivery[]> {
  return claimed.parse(await db.rpc("claim_webhook_deliveries", { p_limit: limit, p_lease_seconds: leaseSeconds }));
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  succeeded: boolean;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
}

const finished = z.object({
  recorded: z.boolean(),
  status: deliveryStatus.nullish(),
  retry_in_seconds: int.nullish(),
});

export async function finishWebhookDelivery(db: Database, id: string, attemptNo: number, a: AttemptRecord) {
  return finished.parse(
    await db.rpc("finish_webhook_delivery", {
      p_id: id,
      p_attempt: attemptNo,
      p_started_at: a.startedAt.toISOString(),
      p_duration_ms: Math.round(a.durationMs),
      p_succeeded: a.succeeded,
      p_response_status: a.responseStatus,
      p_response_body: a.responseBody,
      p_error: a.error,
    }),
  );
}

const metrics = z.object({
  deliveries: z.object({ pending: int, succeeded: int, failed: int }),
  attempts: z.object({ succeeded: int, failed: int }),
  endpoints: z.array(z.object({ id: uuid, failing_seconds: int })),
});
export type OutgoingWebhookMetrics = z.infer<typeof metrics>;

export async function outgoingWebhookMetrics(db: Database, since: Date): Promise<OutgoingWebhookMetrics> {
  return metrics.parse(await db.rpc("outgoing_webhook_metrics", { p_since: since.toISOString() }));
}

const lowBalance = z.object({
  threshold: int.nullable(),
  source: z.enum(["user", "default", "none"]),
  default_threshold: int.nullable(),
  balance: int,
  below: z.boolean(),
});
export type LowBalanceSettings = z.infer<typeof lowBalance>;

export async function getLowBalanceSettings(db: Database, userId: string): Promise<LowBalanceSettings | null> {
  const row = await db.rpc("get_low_balance_settings", { p_user_id: userId });
  return row === null ? null : lowBalance.parse(row);
}

/** null turns the notice off. */
export async function setLowBalanceThreshold(
  db: Database,
  userId: string,
  threshold: number | null,
): Promise<LowBalanceSettings> {
  return lowBalance.parse(await db.rpc("set_low_balance_threshold", { p_user_id: userId, p_threshold: threshold }));
}

/** Retention: outgoing events before olderThan with no pending delivery, batch at a time. */
export async function purgeOutgoingEvents(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("purge_outgoing_events", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}

/** LOW_BALANCE_THRESHOLD, written at start-up for the SQL that decides crossings (null = off). */
export async function setDefaultLowBalanceThreshold(db: Database, threshold: number | null): Promise<void> {
  await db.rpc("set_default_low_balance_threshold", { p_threshold: threshold });
}
