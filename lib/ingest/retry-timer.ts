/**
 * In development (or when WEBHOOK_RETRY_INTERVAL_MS is set) the server runs the
 * sweep itself (retries, retention, alerts, reconciliation: lib/ops/sweep.ts);
 * in production a scheduler calls GET /api/cron/webhooks (or, at scale,
 * pg_cron / Supabase Queues call the same SQL functions).
 */
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { errorField, getLogger } from "@/lib/logger";
import { runOpsSweep } from "@/lib/ops/sweep";

const holder = globalThis as typeof globalThis & { __creditsRetryTimer?: NodeJS.Timeout };

/** Starts the sweep every WEBHOOK_RETRY_INTERVAL_MS (default 30 s outside production, off in production); once per process. */
export function startRetryTimer(): void {
  const env = getEnv();
  const interval = env.WEBHOOK_RETRY_INTERVAL_MS ?? (env.isProduction ? 0 : 30_000);
  if (interval <= 0 || holder.__creditsRetryTimer) return;
  let running = false;
  holder.__creditsRetryTimer = setInterval(() => {
    if (running) return;
    running = true;
    runOpsSweep(getDb())
      .catch((error: unknown) => getLogger().error({ error: errorField(error) }, "sweep failed"))
      .finally(() => {
        running = false;
      });
  }, interval);
  holder.__creditsRetryTimer.unref();
}

/** Stops the in-process sweep (tests; a server stops with its process). */
export function stopRetryTimer(): void {
  clearInterval(holder.__creditsRetryTimer);
  holder.__creditsRetryTimer = undefined;
}
