/** The metrics page's chart series, from webhook_metrics' answer as the database returns it (JSON, ISO times). */
import { describe, expect, it } from "vitest";
import { OTHER_TYPES_COLOR, parseMetricsWindow, TYPE_COLORS, typeSeries } from "@/lib/admin/metrics-window";
import { metricsResult } from "@/lib/db/rpc/webhook-events";

const now = new Date("2026-01-01T12:00:30Z");
const hour = parseMetricsWindow("1h"); // 2-minute buckets: 11:00 … 12:00

const metrics = (seriesByType: Array<{ bucket: string; event_type: string | null; count: number }>) =>
  metricsResult.parse({
    total: seriesByType.reduce((s, b) => s + b.count, 0),
    processed: 0,
    ignored: 0,
    failed: 0,
    received: 0,
    retries: 0,
    p50_ms: null,
    p95_ms: null,
    by_type: [],
    by_provider: [],
    series: [],
    series_by_provider: [],
    series_by_type: seriesByType,
    last_hour: { failure_rate: 0, p95_ms: null, finished: 0, failed: 0 },
  });

const t = (iso: string) => new Date(iso).getTime();

describe("typeSeries", () => {
  it("draws one series per charted type, most events first (ties by name), the rest last as grey 'other'", () => {
    const { series } = typeSeries(
      metrics([
        { bucket: "2026-01-01T11:00:00Z", event_type: "invoice.paid", count: 1 },
        { bucket: "2026-01-01T11:00:00Z", event_type: null, count: 4 },
        { bucket: "2026-01-01T11:58:00Z", event_type: "customer.created", count: 2 },
        { bucket: "2026-01-01T11:58:00Z", event_type: "invoice.paid", count: 3 },
        { bucket: "2026-01-01T12:00:00Z", event_type: "charge.refunded", count: 2 },
      ]),
      hour,
      now,
    );
    expect(series).toEqual([
      { key: "type1", label: "invoice.paid", color: TYPE_COLORS[0] },
      { key: "type2", label: "charge.refunded", color: TYPE_COLORS[1] },
      { key: "type3", label: "customer.created", color: TYPE_COLORS[2] },
      { key: "other", label: "other", color: OTHER_TYPES_COLOR },
    ]);
  });

  it("has a point for every bucket of the window, zeros included, keyed by series (not by the type name)", () => {
    const { points } = typeSeries(
      metrics([
        { bucket: "2026-01-01T11:00:00Z", event_type: "invoice.paid", count: 1 },
        { bucket: "2026-01-01T11:00:00Z", event_type: null, count: 4 },
        { bucket: "2026-01-01T11:58:00Z", event_type: "invoice.paid", count: 3 },
      ]),
      hour,
      now,
    );
    expect(points).toHaveLength(31);
    expect(points[0]).toEqual({ t: t("2026-01-01T11:00:00Z"), type1: 1, other: 4 });
    expect(points[1]).toEqual({ t: t("2026-01-01T11:02:00Z"), type1: 0, other: 0 });
    expect(points[29]).toEqual({ t: t("2026-01-01T11:58:00Z"), type1: 3, other: 0 });
    expect(points[30]).toEqual({ t: t("2026-01-01T12:00:00Z"), type1: 0, other: 0 });
  });

  it("has no 'other' series when every type of the window is charted", () => {
    const { series, points } = typeSeries(
      metrics([{ bucket: "2026-01-01T11:30:00Z", event_type: "alert", count: 2 }]),
      hour,
      now,
    );
    expect(series.map((s) => s.label)).toEqual(["alert"]);
    expect(points[15]).toEqual({ t: t("2026-01-01T11:30:00Z"), type1: 2 });
  });

  it("keeps each bucket's time when a provider sends a type called 't'", () => {
    const { series, points } = typeSeries(
      metrics([{ bucket: "2026-01-01T11:30:00Z", event_type: "t", count: 2 }]),
      hour,
      now,
    );
    expect(series.map((s) => s.label)).toEqual(["t"]);
    expect(points[15]).toEqual({ t: t("2026-01-01T11:30:00Z"), type1: 2 });
  });

  it("has a distinct colour for each of the eight types webhook_metrics charts, none of them the grey of 'other'", () => {
    expect(new Set(TYPE_COLORS).size).toBe(8);
    expect(TYPE_COLORS).not.toContain(OTHER_TYPES_COLOR);
  });
});
