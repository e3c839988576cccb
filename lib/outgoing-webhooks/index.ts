/**
 * Runs the outgoing webhook sender: every 5 s on a running server
 * (instrumentation-node.ts), from the sweep (GET /api/cron/webhooks), and right
 * after an admin queues a test event or a replay. One run at a time per
 * process; runs in several processes share the work through the leases.
 */
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { errorField, getLogger } from "@/lib/logger";
import { deliverWebhooks, type WebhookDeliveryReport } from "./sender";

/** Due deliveries go out within this long on a running server (SPEC: within 10 s). */
export const WEBHOOK_TIMER_MS = 5_000;

/** Production without OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1: https:// and public addresses only. */
export function strictUrls(): boolean {
  const env = getEnv();
  return env.isProduction && !env.outgoingWebhooksAllowPrivate;
}

let running: Promise<WebhookDeliveryReport> | undefined;

/** Sends what is due; one run at a time per process. Throws when the database is down (the caller decides). */
export function deliverWebhooksNow(): Promise<WebhookDeliveryReport> {
  running ??= deliverWebhooks(getDb(), { strict: strictUrls() }).finally(() => {
    running = undefined;
  });
  return running;
}

/** In the background; never throws (the outbox keeps what could not be sent). */
export function deliverWebhooksSoon(): void {
  deliverWebhooksNow().catch((error) => getLogger().error({ error: errorField(error) }, "outgoing webhook run failed"));
}

let timer: NodeJS.Timeout | undefined;

export function startWebhookTimer(intervalMs = WEBHOOK_TIMER_MS): void {
  if (timer) return;
  timer = setInterval(deliverWebhooksSoon, intervalMs);
  timer.unref();
}
