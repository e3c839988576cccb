/**
 * Runs the outgoing webhook sender: every 5 s on a running server
 * (instrumentation-node.ts), from the sweep (GET /api/cron/webhooks), and right
 * after an admin queues a test event or a replay. One run at a time per
 * process; runs in several processes share the work through the leases.
 *
 * The first run of a process also writes LOW_BALANCE_THRESHOLD to the database
 * (set_default_low_balance_threshold), where the SQL that decides crossings
 * reads it; until that succeeds every run tries again.
 */
import { getDb, type Database } from "@/lib/db";
import { setDefaultLowBalanceThreshold } from "@/lib/db/rpc/outgoing-webhooks";
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

const state = globalThis as typeof globalThis & {
  __creditsWebhookRun?: Promise<WebhookDeliveryReport>;
  __creditsWebhookTimer?: NodeJS.Timeout;
  __creditsLowBalanceDefaultWritten?: boolean;
};

/** Writes LOW_BALANCE_THRESHOLD once per process (again after a failure). */
export async function writeLowBalanceDefault(db: Database = getDb()): Promise<void> {
  if (state.__creditsLowBalanceDefaultWritten) return;
  await setDefaultLowBalanceThreshold(db, getEnv().LOW_BALANCE_THRESHOLD ?? null);
  state.__creditsLowBalanceDefaultWritten = true;
}

/** Sends what is due; one run at a time per process. Throws when the database is down (the caller decides). */
export function deliverWebhooksNow(db: Database = getDb()): Promise<WebhookDeliveryReport> {
  state.__creditsWebhookRun ??= (async () => {
    await writeLowBalanceDefault(db);
    return deliverWebhooks(db, { strict: strictUrls() });
  })().finally(() => {
    state.__creditsWebhookRun = undefined;
  });
  return state.__creditsWebhookRun;
}

let lastFailureLog = 0;

/** In the background; never throws (the outbox keeps what could not be sent). Logs a failing run once a minute. */
export function deliverWebhooksSoon(): void {
  deliverWebhooksNow().catch((error) => {
    if (Date.now() - lastFailureLog < 60_000) return;
    lastFailureLog = Date.now();
    getLogger().error({ error: errorField(error) }, "outgoing webhook run failed");
  });
}

/** Every WEBHOOK_TIMER_MS; once per process. */
export function startWebhookTimer(intervalMs = WEBHOOK_TIMER_MS): void {
  if (state.__creditsWebhookTimer) return;
  state.__creditsWebhookTimer = setInterval(deliverWebhooksSoon, intervalMs);
  state.__creditsWebhookTimer.unref();
  deliverWebhooksSoon();
}

export function stopWebhookTimer(): void {
  clearInterval(state.__creditsWebhookTimer);
  state.__creditsWebhookTimer = undefined;
}
