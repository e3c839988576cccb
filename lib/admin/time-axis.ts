/**
 * The time axis of the admin metrics charts: the same ticks and labels on every
 * chart of one window, whatever its width (recharts would otherwise thin a
 * narrower chart's ticks differently). Dependency-free: the charts run in the browser.
 */
import type { MetricsWindowKey } from "./metrics-window";

/** One tick every …: 10 minutes in the last hour, 4 hours in a day, a day in a week (6–7 ticks each). */
export const TICK_SECONDS: Record<MetricsWindowKey, number> = { "1h": 600, "24h": 14_400, "7d": 86_400 };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** The bucket starts (epoch ms) that get a tick: the multiples of the window's tick interval, in UTC. */
export function axisTicks(bucketStarts: number[], window: MetricsWindowKey): number[] {
  const every = TICK_SECONDS[window] * 1_000;
  return bucketStarts.filter((t) => t % every === 0);
}

/** A tick's label, in UTC like the rest of the admin pages: the day for the week, the time otherwise. */
export function axisTickLabel(t: number, window: MetricsWindowKey): string {
  const d = new Date(t);
  return window === "7d"
    ? `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`
    : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A bucket in the tooltip: day and time, whatever the window. */
export function bucketLabel(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}
