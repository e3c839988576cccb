// /admin/metrics: webhook health over a chosen window, with last-hour alerts.
import type { Metadata } from "next";
import { CountList } from "@/components/admin/count-list";
import { EventsChart } from "@/components/admin/events-chart";
import { EmptyState } from "@/components/empty-state";
import { Notice } from "@/components/notice";
import { LoadFailed } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { StatCard } from "@/components/admin/stat-card";
import { WindowChooser } from "@/components/admin/window-chooser";
import { formatDuration, formatPercent } from "@/lib/admin/format";
import {
  type ChartSeries,
  metricsAlerts,
  parseMetricsWindow,
  type MetricsWindow,
  providerSeries,
  statusSeries,
  successRate,
  typeSeries,
} from "@/lib/admin/metrics-window";
import { requireAdmin } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { webhookMetrics, type WebhookMetrics } from "@/lib/db/rpc/webhook-events";
import { providerColor } from "@/lib/providers/names";

export const metadata: Metadata = { title: "Webhook metrics" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const STATUS_SERIES: ChartSeries[] = [
  { key: "processed", label: "processed", color: "#10b981" },
  { key: "ignored", label: "ignored", color: "#94a3b8" },
  { key: "failed", label: "failed", color: "#ef4444" },
];

export default async function MetricsPage({ searchParams }: Props) {
  await requireAdmin();
  const window = parseMetricsWindow((await searchParams).window);
  const now = new Date();

  let metrics: WebhookMetrics | undefined;
  try {
    metrics = await webhookMetrics(getDb(), new Date(now.getTime() - window.seconds * 1_000), window.bucketSeconds);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError || error instanceof DatabaseError)) throw error;
  }

  return (
    <div className="space-y-5">
      <PageTitle
        title="Webhook health"
        lead={`Events received in the ${window.title}; one bar per ${window.bucketLabel}. Times in UTC.`}
      >
        <WindowChooser current={window.key} />
      </PageTitle>

      {!metrics ? <LoadFailed what="Metrics" /> : <MetricsBody metrics={metrics} window={window} now={now} />}
    </div>
  );
}

function MetricsBody({ metrics: m, window, now }: { metrics: WebhookMetrics; window: MetricsWindow; now: Date }) {
  const alerts = metricsAlerts(m);
  const rate = successRate(m);
  const providers = providerSeries(m, window, now);
  const types = typeSeries(m, window, now);
  return (
    <>
      {alerts.map((alert) => (
        <Notice
          key={alert.kind}
          tone="warning"
          title={alert.kind === "failure-rate" ? "High failure rate" : "Slow processing"}
        >
          {alert.message}
        </Notice>
      ))}

      {m.total === 0 ? (
        <EmptyState title={`No webhook events in the ${window.title}.`}>
          Numbers and charts appear as soon as a provider calls a webhook route. Try a longer window.
        </EmptyState>
      ) : (
        <>
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
            <StatCard
              label="Success rate"
              value={rate === null ? "—" : formatPercent(rate)}
              detail="processed or ignored, of finished"
              tone={rate !== null && rate < 0.95 ? "bad" : "neutral"}
            />
            <StatCard
              label="Events"
              value={String(m.total)}
              detail={m.received > 0 ? `${m.received} still in progress` : undefined}
            />
            <StatCard
              label="Failures"
              value={String(m.failed)}
              detail="currently failed"
              tone={m.failed > 0 ? "bad" : "neutral"}
            />
            <StatCard label="Retries" value={String(m.retries)} detail="attempts after the first" />
            <StatCard label="p50 processing" value={formatDuration(m.p50_ms)} />
            <StatCard label="p95 processing" value={formatDuration(m.p95_ms)} />
          </dl>

          <div className="grid gap-4 lg:grid-cols-2">
            <EventsChart
              title="Events over time, by status"
              points={statusSeries(m, window, now)}
              series={STATUS_SERIES}
              window={window.key}
            />
            <EventsChart
              title="Events over time, by provider"
              points={providers.points}
              series={providers.providers.map((p) => ({ key: p, label: p, color: providerColor(p) }))}
              window={window.key}
            />
            <div className="lg:col-span-2">
              <EventsChart
                title="Events over time, by type"
                points={types.points}
                series={types.series}
                window={window.key}
              />
            </div>
          </div>

          <div className="grid gap-4 lg:grid-cols-2">
            <CountList title="Events by type" items={m.by_type} color="#6366f1" />
            <CountList title="Events by provider" items={m.by_provider} color="#0ea5e9" />
          </div>
        </>
      )}
    </>
  );
}
