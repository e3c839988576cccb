/**
 * Typed calls of supabase/schemas/060_webhook_events.sql: a delivery (alone or in a
 * group commit, lib/db/ingest-batch.ts), a retry, the sweep's claim, the admin log and
 * metrics, reconciliation of missed deliveries, and payload retention.
 */
import { z } from "zod";
import { PROVIDERS, type ProviderName } from "@/lib/providers/names";
import type { WebhookAction } from "../actions";
import type { Database } from "../port";
import { ingestBatcherOf } from "../ingest-batch";
import { decimal, int, timestamp, uuid } from "../scalars";

export const EVENT_STATUSES = ["received", "processed", "ignored", "failed", "rejected"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const attemptResult = z.object({
  duplicate: z.boolean(),
  id: uuid,
  status: z.enum(EVENT_STATUSES),
  outcome: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  attempts: int.optional(),
  skipped: z.boolean().optional(),
});
export type AttemptResult = z.infer<typeof attemptResult>;

export interface IngestArgs {
  provider: ProviderName;
  eventId: string;
  eventType: string;
  payload: unknown;
  /** What to do: built by lib/db/actions.ts. */
  action: WebhookAction;
  email?: string | null;
  externalId?: string | null;
  elapsedMs?: number;
}

/** The parameters ingest_webhook_event and reconcile_webhook_event share. */
export const eventParams = (a: Omit<IngestArgs, "elapsedMs">) => ({
  p_provider: a.provider,
  p_event_id: a.eventId,
  p_event_type: a.eventType,
  p_payload: a.payload,
  p_action: a.action.action,
  p_args: a.action.args,
  p_email: a.email ?? null,
  p_external_id: a.externalId ?? null,
});

/** One delivery: ingest_webhook_event, alone or with the deliveries waiting beside it (ingest-batch.ts). */
export async function ingestWebhookEvent(db: Database, a: IngestArgs): Promise<AttemptResult> {
  return attemptResult.parse(await ingestBatcherOf(db).ingest(eventParams(a), a.elapsedMs ?? 0));
}

export async function retryWebhookEvent(
  db: Database,
  id: string,
  action: WebhookAction,
  trigger: "sweep" | "admin",
): Promise<AttemptResult> {
  return attemptResult.parse(
    await db.rpc("retry_webhook_event", { p_id: id, p_action: action.action, p_args: action.args, p_trigger: trigger }),
  );
}

const dueEvent = z.object({
  id: uuid,
  provider: z.enum(PROVIDERS),
  event_type: z.string(),
  payload: z.unknown(),
  attempts: int,
});
export type DueEvent = z.infer<typeof dueEvent>;

export async function claimDueWebhookEvents(db: Database, limit: number, maxAttempts: number): Promise<DueEvent[]> {
  const rows = await db.rpc(
    "claim_due_webhook_events",
    { p_limit: limit, p_max_attempts: maxAttempts },
    { returns: "rows" },
  );
  return z.array(dueEvent).parse(rows);
}

export const eventSummary = z.object({
  id: uuid,
  provider: z.enum(PROVIDERS),
  event_id: z.string(),
  event_type: z.string(),
  status: z.enum(EVENT_STATUSES),
  attempts: int,
  last_error: z.string().nullable(),
  outcome: z.string().nullable(),
  email: z.string().nullable(),
  external_id: z.string().nullable(),
  received_at: timestamp,
  processed_at: timestamp.nullable(),
  duration_ms: decimal.nullable(),
  /** delivery = the provider called us; reconcile = fetched from its API after a missed delivery. */
  source: z.enum(["delivery", "reconcile"]),
});
export type EventSummary = z.infer<typeof eventSummary>;

export interface EventFilter {
  provider?: ProviderName;
  status?: EventStatus;
  type?: string;
  q?: string;
  from?: Date;
  to?: Date;
  before?: { receivedAt: Date; id: string };
  limit?: number;
}

export async function listWebhookEvents(db: Database, f: EventFilter = {}): Promise<EventSummary[]> {
  const rows = await db.rpc(
    "list_webhook_events",
    {
      p_provider: f.provider ?? null,
      p_status: f.status ?? null,
      p_type: f.type ?? null,
      p_q: f.q ?? null,
      p_from: f.from?.toISOString() ?? null,
      p_to: f.to?.toISOString() ?? null,
      p_before_at: f.before?.receivedAt.toISOString() ?? null,
      p_before_id: f.before?.id ?? null,
      p_limit: f.limit ?? 50,
    },
    { returns: "rows" },
  );
  return z.array(eventSummary).parse(rows);
}

export const eventDetail = eventSummary.extend({
  /** null once retention pruned it (payload_pruned_at says when). */
  payload: z.unknown(),
  payload_pruned_at: timestamp.nullable(),
  next_attempt_at: timestamp.nullable(),
  attempt_log: z.array(
    z.object({
      id: int,
      attempt: int,
      status: z.string(),
      outcome: z.string().nullable(),
      error: z.string().nullable(),
      duration_ms: decimal.nullable(),
      trigger: z.string(),
      created_at: timestamp,
    }),
  ),
});
export type EventDetail = z.infer<typeof eventDetail>;

export async function getWebhookEvent(db: Database, id: string): Promise<EventDetail | null> {
  const row = await db.rpc("get_webhook_event", { p_id: id });
  return row === null ? null : eventDetail.parse(row);
}

const countByKey = z.array(z.object({ key: z.string(), count: int }));
export const metricsResult = z.object({
  total: int,
  processed: int,
  ignored: int,
  failed: int,
  received: int,
  retries: int,
  p50_ms: decimal.nullable(),
  p95_ms: decimal.nullable(),
  by_type: countByKey,
  by_provider: countByKey,
  series: z.array(z.object({ bucket: timestamp, processed: int, ignored: int, failed: int, total: int })),
  series_by_provider: z.array(z.object({ bucket: timestamp, provider: z.string(), count: int })),
  /** The window's top 8 types per bucket; event_type null sums the other types. */
  series_by_type: z.array(z.object({ bucket: timestamp, event_type: z.string().nullable(), count: int })),
  last_hour: z.object({ failure_rate: decimal, p95_ms: decimal.nullable(), finished: int, failed: int }),
});
export type WebhookMetrics = z.infer<typeof metricsResult>;

export async function webhookMetrics(db: Database, since: Date, bucketSeconds: number): Promise<WebhookMetrics> {
  return metricsResult.parse(
    await db.rpc("webhook_metrics", { p_since: since.toISOString(), p_bucket_seconds: bucketSeconds }),
  );
}

export async function knownWebhookEventIds(
  db: Database,
  provider: ProviderName,
  eventIds: string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const ids = z
    .array(z.string())
    .parse(await db.rpc("known_webhook_event_ids", { p_provider: provider, p_event_ids: eventIds }));
  return new Set(ids);
}

/** ingest_webhook_event for an event fetched from the provider's API, marked source = reconcile when this call recorded it. */
export async function reconcileWebhookEvent(db: Database, a: Omit<IngestArgs, "elapsedMs">): Promise<AttemptResult> {
  return attemptResult.parse(await db.rpc("reconcile_webhook_event", eventParams(a)));
}

export async function pruneWebhookPayloads(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("prune_webhook_payloads", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}
