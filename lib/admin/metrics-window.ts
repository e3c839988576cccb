/** The admin metrics page's time windows, alert thresholds and chart series. */
import { z } from "zod";
import type { WebhookMetrics } from "@/lib/db/rpc/webhook-events";
import { formatDuration, formatPercent } from "./format";

export const METRICS_WINDOWS = {
  "1h": { label: "1 h", title: "last hour", seconds: 3_600, bucketSeconds: 120, bucketLabel: "2 minutes" },
  "24h": { label: "24 h", title: "last 24 hours", seconds: 86_400, bucketSeconds: 3_600, bucketLabel: "1 hour" },
  "7d": { label: "7 d", title: "last 7 days", seconds: 604_800, bucketSeconds: 21_600, bucketLabel: "6 hours" },
} as const;
export type MetricsWindowKey = keyof typeof METRICS_WINDOWS;
export type MetricsWindow = (typeof METRICS_WINDOWS)[MetricsWindowKey] & { key: MetricsWindowKey };

const windowKey = z.enum(["1h", "24h", "7d"]).catch("24h");

export function parseMetricsWindow(value: string | string[] | undefined): MetricsWindow {
  const key = windowKey.parse(Array.isArray(value) ? value[0] : value);
  return { key, ...METRICS_WINDOWS[key] };
}

/** Alert thresholds over the last hour (SPEC §6). */
export const FAILURE_RATE_ALERT = 0.05;
export const P95_ALERT_MS = 5_000;

export interface MetricsAlert {
  kind: "failure-rate" | "latency";
  message: string;
}

export function metricsAlerts(m: WebhookMetrics): MetricsAlert[] {
  const alerts: MetricsAlert[] = [];
  const { failure_rate, p95_ms, failed, finished } = m.last_hour;
  if (failure_rate > FAILURE_RATE_ALERT) {
    alerts.push({
      kind: "failure-rate",
      message: `${formatPercent(failure_rate)} of events failed in the last hour (${failed} of ${finished}); the threshold is ${formatPercent(FAILURE_RATE_ALERT)}.`,
    });
  }
  if (p95_ms !== null && p95_ms > P95_ALERT_MS) {
    alerts.push({
      kind: "latency",
      message: `p95 processing time was ${formatDuration(p95_ms)} in the last hour; the threshold is ${formatDuration(P95_ALERT_MS)}.`,
    });
  }
  return alerts;
}

/** Share of finished events that did not fail (processed or deliberately ignored); null with none finished. */
export function successRate(m: Pick<WebhookMetrics, "processed" | "ignored" | "failed">): number | null {
  const finished = m.processed + m.ignored + m.failed;
  return finished === 0 ? null : (m.processed + m.ignored) / finished;
}

/** One chart point per bucket: epoch ms plus a count per series key. */
export type ChartPoint = { t: number } & Record<string, number>;

/** One stacked series of a chart: its key in the points, its legend label and colour. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/**
 * Colours of the charted event types, most frequent first: Paul Tol's "muted"
 * scheme, told apart with colour-blindness too. webhook_metrics charts at most
 * eight types; the rest are one grey "other".
 */
export const TYPE_COLORS = [
  "#cc6677",
  "#332288",
  "#ddcc77",
  "#117733",
  "#88ccee",
  "#882255",
  "#44aa99",
  "#999933",
] as const;
export const OTHER_TYPES_COLOR = "#94a3b8";

/**
 * Every bucket of the window, zeros included, so the time axis is even. Buckets
 * start at multiples of the bucket size since the Unix epoch, which is how
 * webhook_metrics bins them (date_bin from 2000-01-01, itself such a multiple).
 */
export function bucketStarts(window: MetricsWindow, now: Date): number[] {
  const size = window.bucketSeconds * 1_000;
  const last = Math.floor(now.getTime() / size) * size;
  const first = Math.floor((now.getTime() - window.seconds * 1_000) / size) * size;
  const starts: number[] = [];
  for (let t = first; t <= last; t += size) starts.push(t);
  return starts;
}

export function statusSeries(m: WebhookMetrics, window: MetricsWindow, now: Date): ChartPoint[] {
  const byBucket = new Map(m.series.map((s) => [s.bucket.getTime(), s]));
  return bucketStarts(window, now).map((t) => {
    const s = byBucket.get(t);
    return { t, processed: s?.processed ?? 0, ignored: s?.ignored ?? 0, failed: s?.failed ?? 0 };
  });
}

export function providerSeries(
  m: WebhookMetrics,
  window: MetricsWindow,
  now: Date,
): { providers: string[]; points: ChartPoint[] } {
  const providers = m.by_provider.map((p) => p.key);
  const rows = m.series_by_provider.map((s) => ({ bucket: s.bucket, key: s.provider, count: s.count }));
  return { providers, points: bucketPoints(window, now, providers, rows) };
}

/** Every bucket of the window with a count per series key, zeros included, from (bucket, key, count) rows. */
function bucketPoints(
  window: MetricsWindow,
  now: Date,
  keys: string[],
  rows: Array<{ bucket: Date; key: string; count: number }>,
): ChartPoint[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.bucket.getTime()}|${r.key}`, r.count);
  return bucketStarts(window, now).map((t) => {
    const point: ChartPoint = { t };
    for (const key of keys) point[key] = counts.get(`${t}|${key}`) ?? 0;
    return point;
  });
}

/**
 * Events per bucket by type: a series per type webhook_metrics charted, most
 * events in the window first (ties by name), then "other" for the rest. Series
 * keys are positional (type1, type2, …), not the type names, which are
 * whatever the providers send: a type called "t" would overwrite the bucket's
 * time, and "__proto__" cannot be a key of a point at all.
 */
export function typeSeries(
  m: WebhookMetrics,
  window: MetricsWindow,
  now: Date,
): { series: ChartSeries[]; points: ChartPoint[] } {
  const totals = new Map<string, number>();
  for (const s of m.series_by_type) {
    if (s.event_type !== null) totals.set(s.event_type, (totals.get(s.event_type) ?? 0) + s.count);
  }
  const types = [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([type]) => type);
  const series: ChartSeries[] = types.map((type, i) => ({
    key: `type${i + 1}`,
    label: type,
    color: TYPE_COLORS[i % TYPE_COLORS.length],
  }));
  if (m.series_by_type.some((s) => s.event_type === null)) {
    series.push({ key: "other", label: "other", color: OTHER_TYPES_COLOR });
  }
  const keyOf = new Map<string | null, string>(types.map((type, i) => [type, `type${i + 1}`]));
  keyOf.set(null, "other");
  const rows = m.series_by_type.map((s) => ({ bucket: s.bucket, key: keyOf.get(s.event_type)!, count: s.count }));
  return {
    series,
    points: bucketPoints(
      window,
      now,
      series.map((s) => s.key),
      rows,
    ),
  };
}
