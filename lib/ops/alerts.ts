/**
 * Alert delivery. The sweep evaluates the same alerts as the /admin/metrics
 * banner (metricsAlerts: failure rate > 5 % or p95 > 5 s over the last hour)
 * and records the state in the database (record_alert_state): an incident
 * opens once and clears once however many instances evaluate it. Each
 * transition is a message to ALERT_WEBHOOK_URL (Slack-compatible `{text}`,
 * sent here with retries from alert_notifications) and, when the mail outbox
 * exists, a mail to each of ALERT_EMAILS, written in the same transaction.
 */
import type { Database } from "@/lib/db";
import { formatDuration, formatPercent } from "@/lib/admin/format";
import { FAILURE_RATE_ALERT, P95_ALERT_MS, metricsAlerts } from "@/lib/admin/metrics-window";
import {
  ALERT_KINDS,
  claimAlertNotifications,
  finishAlertNotification,
  recordAlertState,
  type AlertKind,
  type AlertState,
} from "@/lib/db/rpc/ops";
import { webhookMetrics, type WebhookMetrics } from "@/lib/db/rpc/webhook-events";
import { errorField, getLogger } from "@/lib/logger";

const KIND_TITLES: Record<AlertKind, string> = {
  "failure-rate": "webhook failure rate",
  latency: "webhook p95 processing time",
};
const SEND_TIMEOUT_MS = 5_000;

/** What each kind looks like now, in words: the banner's sentence when it fires, the reading when it does not. */
export function alertState(m: WebhookMetrics, appUrl: string): AlertState {
  const firing = new Map(metricsAlerts(m).map((a) => [a.kind, a.message]));
  const link = `${appUrl}/admin/metrics?window=1h`;
  const { failure_rate, failed, finished, p95_ms } = m.last_hour;
  const reading: Record<AlertKind, string> = {
    "failure-rate": `${formatPercent(failure_rate)} of events failed in the last hour (${failed} of ${finished}); the threshold is ${formatPercent(FAILURE_RATE_ALERT)}.`,
    latency: `p95 processing time was ${formatDuration(p95_ms)} in the last hour; the threshold is ${formatDuration(P95_ALERT_MS)}.`,
  };
  const state = {} as AlertState;
  for (const kind of ALERT_KINDS) {
    const message = firing.get(kind);
    state[kind] = message
      ? { firing: true, message: `[credits] ALERT ${KIND_TITLES[kind]}: ${message} ${link}` }
      : {
          firing: false,
          message: `[credits] RESOLVED ${KIND_TITLES[kind]}: back under the threshold. ${reading[kind]} ${link}`,
        };
  }
  return state;
}

/** POSTs `{text}` (Slack's incoming-webhook shape, also understood by Mattermost, Rocket.Chat, Teams' Slack mode); throws unless 2xx. */
export async function postAlert(url: string, text: string): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    redirect: "error",
  });
  await response.body?.cancel().catch(() => {});
  if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
}

export interface AlertsResult {
  opened: AlertKind[];
  cleared: AlertKind[];
  sent: number;
  sendFailures: number;
}

export async function runAlerts(
  db: Database,
  options: { webhookUrl?: string; emails: string[]; appUrl: string; now?: Date },
): Promise<AlertsResult> {
  const now = options.now ?? new Date();
  const m = await webhookMetrics(db, new Date(now.getTime() - 3_600_000), 3_600);
  const transitions = await recordAlertState(db, alertState(m, options.appUrl), {
    webhook: Boolean(options.webhookUrl),
    emails: options.emails,
  });
  const result: AlertsResult = {
    opened: transitions.filter((t) => t.transition === "opened").map((t) => t.kind),
    cleared: transitions.filter((t) => t.transition === "cleared").map((t) => t.kind),
    sent: 0,
    sendFailures: 0,
  };
  for (const t of transitions)
    getLogger().warn({ alert: t.kind, transition: t.transition, incident_id: t.incident_id }, "alert");
  if (!options.webhookUrl) return result;
  for (const n of await claimAlertNotifications(db, 10)) {
    try {
      await postAlert(options.webhookUrl, n.message);
      await finishAlertNotification(db, n.id, null);
      result.sent++;
    } catch (error) {
      await finishAlertNotification(db, n.id, errorField(error));
      getLogger().error(
        { notification_id: n.id, attempts: n.attempts, error: errorField(error) },
        "alert delivery failed",
      );
      result.sendFailures++;
    }
  }
  return result;
}
