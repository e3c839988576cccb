/**
 * The sweep behind GET /api/cron/webhooks (and the dev timer): retry failed
 * events, then expired holds and credit lots, send due outgoing webhooks (hold.expired among them), retention,
 * alerts, automatic top-ups and — when STRIPE_SECRET_KEY is set and it is due — Stripe reconciliation. Every step is safe with many instances calling
 * at once (leases, advisory and row locks in SQL). A step that fails is
 * reported and logged without stopping the others; the database being down
 * fails the whole sweep (503).
 */
import { getStripe } from "@/lib/checkout/stripe-client";
import { DatabaseUnavailableError, type Database } from "@/lib/db";
import { claimOpsJob } from "@/lib/db/rpc/ops";
import { getEnv } from "@/lib/env";
import { runRetrySweep, type SweepResult } from "@/lib/ingest/retry";
import { runTopupsSoon, type TopupRunResult } from "@/lib/topups/worker";
import { errorField, getLogger } from "@/lib/logger";
import { deliverWebhooksNow } from "@/lib/outgoing-webhooks";
import type { WebhookDeliveryReport } from "@/lib/outgoing-webhooks/sender";
import { runAlerts, type AlertsResult } from "./alerts";
import { runCreditExpiry, type CreditExpiryResult } from "./credit-expiry";
import { runRetention, type RetentionResult } from "./retention";
import { RECONCILE_JOB, reconcileStripeEvents, type ReconcileResult } from "./stripe-reconcile";

/** Reconciliation runs at most this often across all instances (the cron may call every minute). */
export const RECONCILE_EVERY_SECONDS = 600;

type Step<T> = T | { error: string };

export interface OpsSweepResult extends SweepResult {
  credits: Step<CreditExpiryResult>;
  /** Outgoing webhook deliveries sent by this run (the 5 s timer of a running server sends most). */
  outgoing: Step<WebhookDeliveryReport>;
  retention: Step<RetentionResult>;
  alerts: Step<AlertsResult>;
  /** Automatic top-ups charged (null: card payments are not configured). */
  topups: Step<TopupRunResult | null>;
  /** Absent without STRIPE_SECRET_KEY; "not due" when another run started less than RECONCILE_EVERY_SECONDS ago. */
  reconcile?: Step<ReconcileResult> | "not due";
}

async function step<T>(name: string, run: () => Promise<T>): Promise<Step<T>> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) throw error;
    getLogger().error({ step: name, error: errorField(error) }, "sweep step failed");
    return { error: errorField(error) };
  }
}

export async function runOpsSweep(db: Database): Promise<OpsSweepResult> {
  const env = getEnv();
  const retried = await runRetrySweep(db);
  const credits = await step("credits", () => runCreditExpiry(db, env.CREDIT_PACK_EXPIRY_DAYS));
  const outgoing = await step("outgoing webhooks", () => deliverWebhooksNow(db));
  const retention = await step("retention", () =>
    runRetention(db, { payloadRetentionDays: env.WEBHOOK_PAYLOAD_RETENTION_DAYS }),
  );
  const alerts = await step("alerts", () =>
    runAlerts(db, { webhookUrl: env.ALERT_WEBHOOK_URL, emails: env.ALERT_EMAILS, appUrl: env.APP_URL }),
  );
  const topups = await step("topups", () => runTopupsSoon(db));
  const result: OpsSweepResult = { ...retried, credits, outgoing, retention, alerts, topups };
  if (env.STRIPE_SECRET_KEY) {
    result.reconcile = await step("reconcile", async () =>
      (await claimOpsJob(db, RECONCILE_JOB, RECONCILE_EVERY_SECONDS))
        ? reconcileStripeEvents(db, getStripe())
        : ("not due" as const),
    );
  }
  getLogger().debug({ sweep: result }, "sweep");
  return result;
}
