/**
 * In development (or when WEBHOOK_RETRY_INTERVAL_MS is set) the server runs the
 * retry sweep itself; in production a scheduler calls GET /api/cron/webhooks
 * (or, at scale, pg_cron / Supabase Queues call the same SQL functions).
 */
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { runRetrySweep } from "./retry";

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
    runRetrySweep(getDb())
      .catch((error: Error) => console.error(`[retry-sweep] ${error.name}: ${error.message}`))
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
