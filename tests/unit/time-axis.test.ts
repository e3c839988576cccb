/** The metrics charts' shared time axis: one set of ticks and labels per window, whatever the chart's width. */
import { describe, expect, it } from "vitest";
import { bucketStarts, parseMetricsWindow } from "@/lib/admin/metrics-window";
import { axisTickLabel, axisTicks, bucketLabel, TICK_SECONDS } from "@/lib/admin/time-axis";

const now = new Date("2026-12-06T11:37:12.345Z");

describe("metrics time axis", () => {
  it.each([
    ["1h", ["10:40", "10:50", "11:00", "11:10", "11:20", "11:30"]],
    ["24h", ["12:00", "16:00", "20:00", "00:00", "04:00", "08:00"]],
    ["7d", ["Nov 30", "Dec 1", "Dec 2", "Dec 3", "Dec 4", "Dec 5", "Dec 6"]],
  ] as const)("labels the %s window at even UTC steps", (key, labels) => {
    const ticks = axisTicks(bucketStarts(parseMetricsWindow(key), now), key);
    expect(ticks.map((t) => axisTickLabel(t, key))).toEqual(labels);
    for (const [i, t] of ticks.entries()) if (i > 0) expect(t - ticks[i - 1]).toBe(TICK_SECONDS[key] * 1_000);
  });

  it("ticks only at bucket starts, so every chart of a window (same buckets) gets the same ticks", () => {
    for (const key of ["1h", "24h", "7d"] as const) {
      const starts = bucketStarts(parseMetricsWindow(key), now);
      expect(axisTicks(starts, key).every((t) => starts.includes(t))).toBe(true);
      expect(TICK_SECONDS[key] % parseMetricsWindow(key).bucketSeconds).toBe(0);
    }
  });

  it("names a bucket with day and time in the tooltip", () => {
    expect(bucketLabel(Date.UTC(2026, 11, 6, 6))).toBe("Dec 6 06:00 UTC");
  });
});
