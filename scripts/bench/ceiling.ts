/**
 * The database ceiling: the same grant_credits_for_purchase calls the
 * deliveries cause, issued straight to Postgres from a pg pool of the same
 * size as the HTTP concurrency (named prepared statement, like the app).
 */
import { runClosedLoop, type ClosedLoopResult } from "./closed-loop";
import type { Delivery } from "./deliveries";

export interface CeilingResult extends ClosedLoopResult {
  outcomes: Record<string, number>;
}

const GRANT = {
  name: "bench_grant",
  text: `select public.grant_credits_for_purchase(
           p_provider => $1, p_external_id => $2, p_user_id => $3, p_email => null, p_credits => null,
           p_amount_minor => $4, p_currency => $5, p_package_id => $6, p_event_id => $7) as result`,
};

export async function runCeiling(options: {
  url: string;
  deliveries: Delivery[];
  concurrency: number;
}): Promise<CeilingResult> {
  const calls = options.deliveries.map((d) => {
    const session = (JSON.parse(d.body) as { data: { object: Record<string, unknown> } }).data.object;
    const metadata = session.metadata as { package_id: string };
    return [
      "stripe",
      d.paymentId,
      session.client_reference_id,
      session.amount_total,
      session.currency,
      metadata.package_id,
      d.eventId,
    ];
  });
  const outcomes: Record<string, number> = {};
  const result = await runClosedLoop({
    url: options.url,
    concurrency: options.concurrency,
    statement: GRANT,
    calls,
    onRow: (row) => {
      const outcome = (row.result as { outcome: string }).outcome;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    },
  });
  return { ...result, outcomes };
}
