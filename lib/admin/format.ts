/** How the admin pages write numbers and times: fixed formats in UTC, so server and client render the same text. */

export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  return `${pct >= 99.95 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)} %`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1) return "< 1 ms";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "2026-11-23" (UTC) */
export const formatDay = (date: Date): string => date.toISOString().slice(0, 10);

/** "19:35:11" (UTC) */
export const formatClock = (date: Date): string => date.toISOString().slice(11, 19);

/** "2026-11-23 19:35:11 UTC" */
export const formatTime = (date: Date): string => `${formatDay(date)} ${formatClock(date)} UTC`;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
