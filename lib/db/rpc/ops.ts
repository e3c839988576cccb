/**
 * Typed calls of supabase/schemas/090_ops.sql: background-job state (throttle and
 * watermark across instances), alert incidents and their notifications, and the
 * health probe.
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp } from "../scalars";

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

export const healthResult = z.object({ ok: z.literal(true), time: z.string(), packages: int });

/** What GET /api/health asks: the database answers and the schema is there. */
export async function healthCheck(db: Database) {
  return healthResult.parse(await db.rpc("health_check", {}));
}
