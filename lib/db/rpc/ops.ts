/**
 * Typed wrappers for the operations functions: background-job state,
 * reconciliation, retention and alert incidents
 * (supabase/migrations/20261130000150_*.sql, 20261130000151_*.sql).
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp } from "./scalars";
import type { ProviderName } from "@/lib/providers/names";
import { attemptResult, eventParams, type AttemptResult, type IngestArgs } from "./webhook-events";

export type OpsJob = "stripe_reconcile";

/** True for the one caller (across instances) that may run the job now; false until p_every_seconds have passed. */
export async function claimOpsJob(db: Database, name: OpsJob, everySeconds: number): Promise<boolean> {
  return z.boolean().parse(await db.rpc("claim_ops_job", { p_name: name, p_every_seconds: everySeconds }));
}

export async function opsJobWatermark(db: Database, name: OpsJob): Promise<Date | null> {
  return timestamp.nullable().parse(await db.rpc("ops_job_watermark", { p_name: name }));
}

/** Moves the watermark forward only; returns the stored value. */
export async function advanceOpsJobWatermark(db: Database, name: OpsJob, watermark: Date): Promise<Date> {
  return timestamp.parse(
    await db.rpc("advance_ops_job_watermark", { p_name: name, p_watermark: watermark.toISOString() }),
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

export async function purgeAuthRateLimits(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("purge_auth_rate_limits", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}

export async function purgeSentEmails(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("purge_sent_emails", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}

export const ALERT_KINDS = ["failure-rate", "latency"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Each kind's evaluation: firing or not, and the sentence that describes it. */
export type AlertState = Record<AlertKind, { firing: boolean; message: string }>;

const alertTransition = z.object({
  incident_id: int,
  kind: z.enum(ALERT_KINDS),
  transition: z.enum(["opened", "cleared"]),
  message: z.string(),
});
export type AlertTransition = z.infer<typeof alertTransition>;

/** Opens / clears incidents; returns the transitions this call made (none when another instance made them first). */
export async function recordAlertState(
  db: Database,
  state: AlertState,
  options: { webhook: boolean; emails: string[] },
): Promise<AlertTransition[]> {
  return z
    .array(alertTransition)
    .parse(
      await db.rpc("record_alert_state", { p_state: state, p_webhook: options.webhook, p_emails: options.emails }),
    );
}

const alertNotification = z.object({
  id: int,
  transition: z.enum(["opened", "cleared"]),
  message: z.string(),
  attempts: int,
});
export type AlertNotification = z.infer<typeof alertNotification>;

export async function claimAlertNotifications(db: Database, limit: number): Promise<AlertNotification[]> {
  return z
    .array(alertNotification)
    .parse(await db.rpc("claim_alert_notifications", { p_limit: limit }, { returns: "rows" }));
}

export async function finishAlertNotification(db: Database, id: number, error: string | null): Promise<void> {
  await db.rpc("finish_alert_notification", { p_id: id, p_error: error });
}
