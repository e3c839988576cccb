/** Builds Stripe events and signed deliveries the way Stripe does (stripe.webhooks.generateTestHeaderString). */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { payloadOf, webhookRequest, signatureOr } from "./webhook-request";

export const WEBHOOK_SECRET = "whsec_test_primary_0123456789abcdef";
export const ROTATED_SECRET = "whsec_test_rotated_fedcba9876543210";

export const uid = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

export function stripeEvent(type: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: uid("evt"),
    object: "event",
    api_version: "2025-03-31.basil",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
    ...extra,
  };
}

export function signedRequest(
  body: string | object,
  options: { secret?: string; timestamp?: number; header?: string | null; url?: string } = {},
): Request {
  const payload = payloadOf(body);
  const header = signatureOr(options.header, () =>
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      timestamp: options.timestamp,
    }),
  );
  return webhookRequest("stripe", payload, { "stripe-signature": header }, options.url);
}

/** A Stripe dispute as its events carry it: against a payment intent and/or a charge; `amount` only when given. */
export function disputeObject(a: {
  id: string;
  status: string;
  pi: string | null;
  charge?: string | null;
  amount?: number;
}) {
  return {
    id: a.id,
    object: "dispute",
    status: a.status,
    payment_intent: a.pi,
    charge: a.charge ?? null,
    ...(a.amount !== undefined ? { amount: a.amount } : {}),
  };
}

export function checkoutSession(overrides: Record<string, unknown> = {}) {
  return {
    id: uid("cs_test"),
    object: "checkout.session",
    mode: "payment",
    payment_status: "paid",
    status: "complete",
    payment_intent: uid("pi"),
    client_reference_id: null,
    customer_email: null,
    customer_details: { email: null },
    metadata: {},
    amount_total: 500,
    currency: "usd",
    ...overrides,
  };
}
