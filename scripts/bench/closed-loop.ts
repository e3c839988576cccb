/**
 * Runs prepared calls straight to Postgres from a pool of `concurrency`
 * connections, each taking the next call as soon as its last one returns (the
 * same closed loop autocannon drives over HTTP). Used by both ceilings.
 */
import pg from "pg";
import { summarize, type LatencySummary } from "./stats";

export interface ClosedLoopResult {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  latency: LatencySummary;
}

export async function runClosedLoop(options: {
  url: string;
  concurrency: number;
  statement: { name: string; text: string };
  calls: unknown[][];
  onRow?: (row: Record<string, unknown>) => void;
}): Promise<ClosedLoopResult> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.concurrency });
  // Open every connection before the clock starts, as the warmed-up app has.
  await Promise.all(Array.from({ length: options.concurrency }, () => pool.query("select 1")));
  const latencies: number[] = [];
  let cursor = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (cursor < options.calls.length) {
        const values = options.calls[cursor++];
        const t0 = performance.now();
        const { rows } = await pool.query({ ...options.statement, values });
        latencies.push(performance.now() - t0);
        options.onRow?.(rows[0]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return {
    calls: latencies.length,
    seconds: Math.round(seconds * 1000) / 1000,
    callsPerSecond: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
  };
}
