/**
 * Re-running failed events from their stored payload: the sweep (cron or the
 * dev timer) and the admin's Retry. The provider re-plans the payload; the SQL
 * function re-runs it under a row lock, so two retriers never apply it twice.
 */
import type { Database } from "@/lib/db";
import {
  claimDueWebhookEvents,
  getWebhookEvent,
  listWebhookEvents,
  retryWebhookEvent,
  type AttemptResult,
} from "@/lib/db/rpc/webhook-events";
import type { ProviderName } from "@/lib/providers/names";
import { providers } from "@/lib/providers";
import { fail, type Plan } from "./types";

export const MAX_ATTEMPTS = 12;

/** The event's payload was removed by retention (WEBHOOK_PAYLOAD_RETENTION_DAYS): nothing is left to re-plan. */
export class PayloadPrunedError extends Error {
  name = "PayloadPrunedError";
  constructor(readonly prunedAt: Date | null) {
    super("payload pruned by retention: this event can no longer be retried");
  }
}

function planFor(provider: ProviderName, payload: unknown, eventType: string): Plan {
  try {
    return providers[provider].plan(payload, eventType);
  } catch (error) {
    return fail(`could not plan stored event: ${(error as Error).message}`);
  }
}

/** Retries one event now (admin): ignores the backoff schedule, not the row lock. */
export async function retryEvent(db: Database, id: string, trigger: "admin" | "sweep"): Promise<AttemptResult> {
  const event = await getWebhookEvent(db, id);
  if (!event) throw new Error("event not found");
  if (event.payload === null) throw new PayloadPrunedError(event.payload_pruned_at);
  const plan = planFor(event.provider, event.payload, event.event_type);
  return retryWebhookEvent(db, id, plan, trigger);
}

export interface SweepResult {
  attempted: number;
  processed: number;
  failed: number;
}

function tally(results: AttemptResult[]): SweepResult {
  return {
    attempted: results.length,
    processed: results.filter((r) => r.status === "processed" || r.status === "ignored").length,
    failed: results.filter((r) => r.status === "failed").length,
  };
}

/** The sweep: failed events whose backoff has passed, leased so instances do not collide. */
export async function runRetrySweep(db: Database, options: { limit?: number } = {}): Promise<SweepResult> {
  const due = await claimDueWebhookEvents(db, options.limit ?? 50, MAX_ATTEMPTS);
  const results: AttemptResult[] = [];
  for (const event of due) {
    if (event.payload === null) continue; // pruned (retention also takes it off the schedule)
    const plan = planFor(event.provider, event.payload, event.event_type);
    results.push(await retryWebhookEvent(db, event.id, plan, "sweep"));
  }
  return tally(results);
}

/** Admin bulk action: every failed event now, newest first, up to `limit`. */
export async function retryAllFailed(db: Database, options: { limit?: number } = {}): Promise<SweepResult> {
  const failed = await listWebhookEvents(db, { status: "failed", limit: Math.min(options.limit ?? 200, 200) });
  const results: AttemptResult[] = [];
  for (const event of failed) {
    try {
      results.push(await retryEvent(db, event.id, "admin"));
    } catch (error) {
      if (!(error instanceof PayloadPrunedError)) throw error;
    }
  }
  return tally(results);
}
