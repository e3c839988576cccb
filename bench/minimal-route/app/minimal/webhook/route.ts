/**
 * The benchmark's yardstick (SPEC section 8), not part of the app: the naive
 * Stripe webhook anyone would write. Verify the signature with the stripe
 * package, then one `pg` call to a plpgsql function doing the same writes as
 * ours (event row, purchase, ledger row, wallet upsert: ./schema.sql), and a
 * JSON answer. No size cap, no zod, no event log, no retries, no error mapping.
 * `npm run bench` builds this folder as its own Next app and runs it beside ours.
 */
import pg from "pg";
import Stripe from "stripe";

export const dynamic = "force-dynamic";

const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_MAX || 10) });

interface CheckoutSession {
  payment_intent: string | null;
  client_reference_id: string | null;
  amount_total: number | null;
  currency: string | null;
  metadata: Record<string, string> | null;
}

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(body, request.headers.get("stripe-signature") ?? "", secret);
  } catch {
    return Response.json({ error: "invalid signature" }, { status: 400 });
  }
  const session = event.data.object as unknown as CheckoutSession;
  const { rows } = await pool.query({
    name: "minimal_ingest",
    text: "select bench_minimal.ingest($1, $2, $3, $4, $5, $6, $7, $8) as result",
    values: [
      event.id,
      event.type,
      body,
      session.payment_intent,
      session.client_reference_id,
      session.metadata?.package_id ?? null,
      session.amount_total,
      session.currency,
    ],
  });
  return Response.json({ received: true, duplicate: rows[0].result.duplicate });
}
