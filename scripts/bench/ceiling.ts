/**
 * The database ceiling: the same grant_credits_for_purchase calls the
 * deliveries cause, issued straight to Postgres from a pg pool of the same
 * size as the HTTP concurrency (named prepared statement, like the app).
 */
import pg from "pg";
import type { Delivery } from "./deliveries";
import { summarize, type LatencySummary } from "./stats";

export interface CeilingResult {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  latency: LatencySummary;
  outcomes: Record<string, number>;
}

const GRANT = {
  name: "bench_grant",
  text: `select public.grant_credits_for_purchase(
           p_provider => $1, p_external_id => $2, p_user_id => $3, p_email => null, p_credits => null,
           p_amount_minor => $4, p_currency => $5, p_package_id => $6, p_event_id => $7) as result`,
};

export async function runCeiling(options: { url: string; deliveries: Delivery[]; concurrency: number }): Promise<CeilingResult> {
  const calls = options.deliveries.map((d) => {
    const session = (JSON.parse(d.body) as { data: { object: Record<string, unknown> } }).data.object;
    const metadata = session.metadata as { package_id: string };
    return ["stripe", d.paymentId, session.client_reference_id, session.amount_total, session.currency, metadata.package_id, d.eventId];
  });
  const pool = new pg.Pool({ connectionString: options.url, max: options.concurrency });
  // Open every connection (and prepare) before the clock starts, as the warmed-up app has.
  await Promise.all(Array.from({ length: options.concurrency }, () => pool.query("select 1")));

  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let cursor = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (cursor < calls.length) {
        const values = calls[cursor++];
        const t0 = performance.now();
        const { rows } = await pool.query({ ...GRANT, values });
        latencies.push(performance.now() - t0);
        const outcome = (rows[0].result as { outcome: string }).outcome;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
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
    outcomes,
  };
}
