/**
 * A second ceiling, for diagnosis: the whole ingest_webhook_event call (event
 * row + attempt row + grant) straight to Postgres, same concurrency, no HTTP.
 * app ≪ this → the time goes in Node/Next; this ≪ grant ceiling → in the event log SQL.
 */
import { runClosedLoop, type ClosedLoopResult } from "./closed-loop";
import type { Delivery } from "./deliveries";

export type IngestCeilingResult = ClosedLoopResult;

export const INGEST = {
  name: "bench_ingest",
  text: `select public.ingest_webhook_event(p_provider => 'stripe', p_event_id => $1, p_event_type => 'checkout.session.completed',
           p_payload => $2::jsonb, p_action => 'grant', p_args => $3::jsonb, p_email => null, p_external_id => $4, p_elapsed_ms => 0) as result`,
};

/** The parameters the app sends for each delivery (what plan() makes of a paid checkout). */
export function ingestCalls(deliveries: Delivery[]): unknown[][] {
  return deliveries.map((d) => {
    const session = (JSON.parse(d.body) as { data: { object: Record<string, unknown> } }).data.object;
    const args = {
      provider: "stripe",
      external_id: d.paymentId,
      user_id: session.client_reference_id,
      email: null,
      credits: null,
      package_id: (session.metadata as { package_id: string }).package_id,
      amount_minor: session.amount_total,
      currency: session.currency,
      event_id: d.eventId,
    };
    return [d.eventId, d.body, JSON.stringify(args), d.paymentId];
  });
}

export async function runIngestCeiling(options: {
  url: string;
  deliveries: Delivery[];
  concurrency: number;
}): Promise<IngestCeilingResult> {
  return runClosedLoop({
    url: options.url,
    concurrency: options.concurrency,
    statement: INGEST,
    calls: ingestCalls(options.deliveries),
  });
}
