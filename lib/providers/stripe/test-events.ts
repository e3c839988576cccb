/**
 * A paid `checkout.session.completed`, shaped as Stripe sends it: what the local
 * test checkout emits (like `stripe trigger`), and what tests and the benchmark
 * send. One builder, so they all exercise the same payload.
 */
import { randomBytes } from "node:crypto";

export interface PaidCheckout {
  /** Makes the ids (evt_…, cs_…, pi_…) recognisable, e.g. "local", "e2e", "bench_<run>". */
  idTag: string;
  packageId: string;
  amountMinor: number;
  currency?: string;
  userId?: string | null;
  email?: string | null;
  createdAt?: Date;
  /** "Save this card for automatic top-ups" in the local test checkout: a test card for this Customer. */
  saveTestCard?: { customerId: string };
}

export function paidCheckoutEvent(checkout: PaidCheckout) {
  const suffix = `${checkout.idTag}_${randomBytes(10).toString("hex")}`;
  const email = checkout.email ?? null;
  const userId = checkout.userId ?? null;
  return {
    id: `evt_${suffix}`,
    object: "event",
    type: "checkout.session.completed",
    api_version: "2025-03-31.basil",
    created: Math.floor((checkout.createdAt ?? new Date()).getTime() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: {
      object: {
        id: `cs_${suffix}`,
        object: "checkout.session",
        mode: "payment",
        status: "complete",
        payment_status: "paid",
        payment_intent: `pi_${suffix}`,
        client_reference_id: userId,
        customer_email: email,
        customer_details: { email },
        amount_total: checkout.amountMinor,
        currency: checkout.currency ?? "usd",
        customer: checkout.saveTestCard?.customerId ?? null,
        metadata: {
          package_id: checkout.packageId,
          ...(userId ? { user_id: userId } : {}),
          ...(checkout.saveTestCard ? { save_card: "test" } : {}),
        },
      },
    },
  };
}
