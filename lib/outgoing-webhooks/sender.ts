/**
 * Delivers outgoing webhooks from the outbox (webhook_deliveries). Deliveries
 * are claimed with a lease (claim_webhook_deliveries: attempts + 1, skip
 * locked), so any number of senders in any number of app instances never send
 * one attempt twice; each attempt is recorded once (finish_webhook_delivery),
 * with its status, duration and the first 1 KB of the answer, and a failure is
 * retried on the SPEC schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and
 * then kept as failed. A 2xx within 15 s ends a delivery; anything else,
 * including a redirect, is a failed attempt.
 */
import type { Database } from "@/lib/db";
import { claimWebhookDeliveries, finishWebhookDelivery, type ClaimedDelivery } from "@/lib/db/rpc/outgoing-webhooks";
import { getLogger } from "@/lib/logger";
import { postPinned, SEND_TIMEOUT_MS } from "./post";
import { signDelivery } from "./sign";
import { RefusedUrlError, systemResolver, vetDestination, type Resolver, type UrlPolicy } from "./url-policy";

export interface WebhookSenderOptions extends UrlPolicy {
  batch?: number;
  timeoutMs?: number;
  resolve?: Resolver;
  /** The clock for webhook-timestamp (tests). */
  now?: () => Date;
}

export interface WebhookDeliveryReport {
  succeeded: number;
  failed: number;
}

/** Why an attempt failed, for the record: never the secret, never a stack. */
function describe(error: unknown): string {
  if (error instanceof RefusedUrlError) return error.message;
  const e = error as NodeJS.ErrnoException;
  return [e.code, e.message].filter(Boolean).join(" ").slice(0, 500) || "unknown error";
}

async function attempt(db: Database, delivery: ClaimedDelivery, options: WebhookSenderOptions): Promise<boolean> {
  const startedAt = new Date();
  const started = performance.now();
  let outcome: { ok: boolean; status: number | null; body: string | null; error: string | null };
  try {
    const target = await vetDestination(delivery.url, options, options.resolve ?? systemResolver);
    const headers = signDelivery(delivery.webhook_id, delivery.body, delivery.secrets, options.now?.() ?? new Date());
    const answer = await postPinned(
      delivery.url,
      target,
      { ...headers },
      delivery.body,
      options.timeoutMs ?? SEND_TIMEOUT_MS,
    );
    const ok = answer.status >= 200 && answer.status < 300;
    outcome = {
      ok,
      status: answer.status,
      body: answer.body,
      // a non-2xx answer speaks for itself (status and body are kept); a redirect needs saying
      error: answer.status >= 300 && answer.status < 400 ? `HTTP ${answer.status}: redirects are not followed` : null,
    };
  } catch (error) {
    outcome = { ok: false, status: null, body: null, error: describe(error) };
  }
  const result = await finishWebhookDelivery(db, delivery.id, delivery.attempt, {
    startedAt,
    durationMs: performance.now() - started,
    succeeded: outcome.ok,
    responseStatus: outcome.status,
    responseBody: outcome.body,
    error: outcome.error,
  });
  if (!outcome.ok) {
    getLogger().warn(
      {
        delivery: delivery.id,
        endpoint: delivery.endpoint_id,
        type: delivery.type,
        attempt: delivery.attempt,
        error: outcome.error,
        next: result.status === "failed" ? "gave up" : `retry in ${result.retry_in_seconds ?? "?"} s`,
      },
      "outgoing webhook attempt failed",
    );
  }
  return outcome.ok;
}

/** Sends every due delivery once (claimed batch by batch, each batch in parallel). */
export async function deliverWebhooks(db: Database, options: WebhookSenderOptions): Promise<WebhookDeliveryReport> {
  const report: WebhookDeliveryReport = { succeeded: 0, failed: 0 };
  for (;;) {
    // the lease outlasts the send timeout, so no other sender can claim a delivery still being sent
    const leaseSeconds = Math.ceil((options.timeoutMs ?? SEND_TIMEOUT_MS) / 1000) + 45;
    const deliveries = await claimWebhookDeliveries(db, options.batch ?? 20, leaseSeconds);
    if (deliveries.length === 0) return report;
    const results = await Promise.all(deliveries.map((d) => attempt(db, d, options)));
    for (const ok of results) report[ok ? "succeeded" : "failed"] += 1;
  }
}
