/**
 * The local test checkout (no STRIPE_SECRET_KEY): no money moves. "Pay" does
 * what `stripe trigger` does: it sends our own webhook a real
 * checkout.session.completed, signed with STRIPE_WEBHOOK_SECRET, so the credits
 * arrive through exactly the path real payments take.
 */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { getEnv } from "@/lib/env";
import type { Order } from "./order";

export function localCheckoutEnabled(): boolean {
  return getEnv().localCheckout;
}

export function localCheckoutCompletedEvent(order: Order, now = new Date()) {
  const { buyer, pack } = order;
  const suffix = randomBytes(12).toString("hex");
  return {
    id: `evt_local_${suffix}`,
    object: "event",
    type: "checkout.session.completed",
    created: Math.floor(now.getTime() / 1000),
    livemode: false,
    api_version: "2025-08-27.basil",
    data: {
      object: {
        id: `cs_local_${suffix}`,
        object: "checkout.session",
        mode: "payment",
        status: "complete",
        payment_status: "paid",
        payment_intent: `pi_local_${suffix}`,
        client_reference_id: buyer.userId,
        customer_email: buyer.email,
        customer_details: { email: buyer.email },
        amount_total: pack.amount_minor,
        currency: pack.currency,
        metadata: { package_id: pack.id, user_id: buyer.userId },
      },
    },
  };
}

export class LocalCheckoutError extends Error {}

/** Posts the signed event to origin's /api/stripe/webhook; throws unless the webhook accepted it. */
export async function payLocally(order: Order, origin: string): Promise<void> {
  const payload = JSON.stringify(localCheckoutCompletedEvent(order));
  const secret = getEnv().STRIPE_WEBHOOK_SECRET[0];
  if (!secret) throw new LocalCheckoutError("no STRIPE_WEBHOOK_SECRET to sign the test event with");
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  const response = await fetch(new URL("/api/stripe/webhook", origin), {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    body: payload,
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new LocalCheckoutError(`the webhook answered ${response.status}`);
}
