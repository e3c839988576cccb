/**
 * Retention, run by the sweep: tables that only grow are trimmed in small
 * batches (each its own short transaction), a bounded number per sweep so a
 * backlog is worked off over several sweeps instead of one long lock.
 * - webhook_events: payload set to null after WEBHOOK_PAYLOAD_RETENTION_DAYS
 *   (row, status, outcome and ids stay: dedupe and the admin log still work);
 * - auth_rate_limits: counters whose window started over a day ago;
 * - email_outbox: mails sent over SENT_MAIL_RETENTION_DAYS ago (when the outbox exists);
 * - outgoing_events: outgoing webhook events (data names accounts) older than
 *   WEBHOOK_PAYLOAD_RETENTION_DAYS whose deliveries have all finished, with their deliveries.
 */
import type { Database } from "@/lib/db";
import { pruneWebhookPayloads } from "@/lib/db/rpc/webhook-events";
import { purgeAuthRateLimits } from "@/lib/db/rpc/local-accounts";
import { purgeSentEmails } from "@/lib/db/rpc/mail";
import { purgeOutgoingEvents } from "@/lib/db/rpc/outgoing-webhooks";

export const RETENTION_BATCH = 500;
export const MAX_BATCHES_PER_SWEEP = 20;
export const RATE_LIMIT_RETENTION_SECONDS = 86_400;
export const SENT_MAIL_RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;

export interface RetentionResult {
  payloadsPruned: number;
  rateLimitsPurged: number;
  mailsPurged: number;
  outgoingEventsPurged: number;
}

/** Calls `step` until it returns less than a full batch or the sweep's budget of batches is spent. */
async function inBatches(step: (batch: number) => Promise<number>, batch: number, maxBatches: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await step(batch);
    total += n;
    if (n < batch) break;
  }
  return total;
}

export async function runRetention(
  db: Database,
  options: { payloadRetentionDays: number; now?: Date; batch?: number; maxBatches?: number },
): Promise<RetentionResult> {
  const now = (options.now ?? new Date()).getTime();
  const batch = options.batch ?? RETENTION_BATCH;
  const maxBatches = options.maxBatches ?? MAX_BATCHES_PER_SWEEP;
  const payloadCutoff = new Date(now - options.payloadRetentionDays * DAY_MS);
  const rateLimitCutoff = new Date(now - RATE_LIMIT_RETENTION_SECONDS * 1000);
  const mailCutoff = new Date(now - SENT_MAIL_RETENTION_DAYS * DAY_MS);
  return {
    payloadsPruned: await inBatches((n) => pruneWebhookPayloads(db, payloadCutoff, n), batch, maxBatches),
    rateLimitsPurged: await inBatches((n) => purgeAuthRateLimits(db, rateLimitCutoff, n), batch, maxBatches),
    mailsPurged: await inBatches((n) => purgeSentEmails(db, mailCutoff, n), batch, maxBatches),
    outgoingEventsPurged: await inBatches((n) => purgeOutgoingEvents(db, payloadCutoff, n), batch, maxBatches),
  };
}
