/**
 * The Prometheus exposition for GET /api/metrics. Webhook numbers are gauges
 * read from webhook_metrics at scrape time (the database is the only shared
 * state between app instances, so in-process counters would be per instance and
 * reset on deploy). Each scrape builds its own registry for them and merges it
 * with a long-lived one holding the default process metrics, so two concurrent
 * scrapes never see each other's half-set values.
 */
import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { Database } from "@/lib/db";
import { outgoingWebhookMetrics, type OutgoingWebhookMetrics } from "@/lib/db/rpc/outgoing-webhooks";
import { EVENT_STATUSES, webhookMetrics, type WebhookMetrics } from "@/lib/db/rpc/webhook-events";
import { PROVIDERS } from "@/lib/providers/names";

/** Counts cover this window; the alert inputs always cover the last hour. */
export const SCRAPE_WINDOW_SECONDS = 86_400;

const holder = globalThis as typeof globalThis & { __creditsProcessRegistry?: Registry };

/** Default process metrics live in one registry per process (registering them twice throws). */
function processRegistry(): Registry {
  if (!holder.__creditsProcessRegistry) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder.__creditsProcessRegistry = registry;
  }
  return holder.__creditsProcessRegistry;
}

function webhookRegistry(m: WebhookMetrics): Registry {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const byStatus = gauge(
    "webhook_events_last_24h",
    "Webhook events received in the last 24 hours, by current status.",
    ["status"],
  );
  const statusCounts: Record<(typeof EVENT_STATUSES)[number], number> = {
    received: m.received,
    processed: m.processed,
    ignored: m.ignored,
    failed: m.failed,
    rejected: m.total - m.received - m.processed - m.ignored - m.failed,
  };
  for (const status of EVENT_STATUSES) byStatus.set({ status }, statusCounts[status]);

  const byProvider = gauge(
    "webhook_events_by_provider_last_24h",
    "Webhook events received in the last 24 hours, by provider.",
    ["provider"],
  );
  const providerCounts = new Map(m.by_provider.map((p) => [p.key, p.count]));
  for (const provider of PROVIDERS) byProvider.set({ provider }, providerCounts.get(provider) ?? 0);

  gauge(
    "webhook_event_retries_last_24h",
    "Processing attempts beyond the first, for events received in the last 24 hours.",
  ).set(m.retries);

  const processing = gauge(
    "webhook_processing_seconds_last_24h",
    "Event processing time quantiles over the last 24 hours.",
    ["quantile"],
  );
  if (m.p50_ms !== null) processing.set({ quantile: "0.5" }, m.p50_ms / 1_000);
  if (m.p95_ms !== null) processing.set({ quantile: "0.95" }, m.p95_ms / 1_000);

  gauge("webhook_failure_ratio_last_hour", "Failed / finished webhook events in the last hour (alert above 0.05).").set(
    m.last_hour.failure_rate,
  );
  const p95LastHour = gauge(
    "webhook_processing_p95_seconds_last_hour",
    "p95 processing time in the last hour (alert above 5 s).",
  );
  if (m.last_hour.p95_ms !== null) p95LastHour.set(m.last_hour.p95_ms / 1_000);
  return registry;
}

/** Outgoing webhooks: deliveries by outcome, attempts, and how long each endpoint has been failing (alert: an hour). */
function outgoingRegistry(m: OutgoingWebhookMetrics): Registry {
  const registry = new Registry();
  const deliveries = new Gauge({
    name: "outgoing_webhook_deliveries_last_24h",
    help: "Outgoing webhook deliveries created in the last 24 hours, by status (pending, succeeded, failed after the last retry).",
    labelNames: ["status"],
    registers: [registry],
  });
  for (const status of ["pending", "succeeded", "failed"] as const) deliveries.set({ status }, m.deliveries[status]);
  const attempts = new Gauge({
    name: "outgoing_webhook_attempts_last_24h",
    help: "Outgoing webhook delivery attempts in the last 24 hours, by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  attempts.set({ outcome: "succeeded" }, m.attempts.succeeded);
  attempts.set({ outcome: "failed" }, m.attempts.failed);
  const failing = new Gauge({
    name: "outgoing_webhook_endpoint_failing_seconds",
    help: "Per enabled endpoint: seconds since its first failed attempt after its last success (0 = healthy).",
    labelNames: ["endpoint"],
    registers: [registry],
  });
  for (const e of m.endpoints) failing.set({ endpoint: e.id }, e.failing_seconds);
  return registry;
}

export interface Exposition {
  contentType: string;
  body: string;
}

export async function renderPrometheusMetrics(db: Database, now = new Date()): Promise<Exposition> {
  const since = new Date(now.getTime() - SCRAPE_WINDOW_SECONDS * 1_000);
  const [m, outgoing] = await Promise.all([
    webhookMetrics(db, since, SCRAPE_WINDOW_SECONDS),
    outgoingWebhookMetrics(db, since),
  ]);
  const merged = Registry.merge([processRegistry(), webhookRegistry(m), outgoingRegistry(outgoing)]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}
