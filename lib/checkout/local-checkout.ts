/**
 * The local test checkout (no STRIPE_SECRET_KEY): no money moves. "Pay" does
 * what `stripe trigger` does: it sends our own webhook a real
 * checkout.session.completed, signed with STRIPE_WEBHOOK_SECRET, so the credits
 * arrive through exactly the path real payments take.
 */
import Stripe from "stripe";
import { getEnv } from "@/lib/env";
import { postSignedToOwnWebhook, SelfDeliveryError } from "@/lib/http/post-signed";
import { paidCheckoutEvent } from "@/lib/providers/stripe/test-events";
import type { Order } from "./order";

export function localCheckoutEnabled(): boolean {
  return getEnv().localCheckout;
}

export function localCheckoutCompletedEvent(order: Order) {
  const { buyer, pack } = order;
  return paidCheckoutEvent({
    idTag: "local",
    packageId: pack.id,
    amountMinor: pack.amount_minor,
    currency: pack.currency,
    userId: buyer.userId,
    email: buyer.email,
  });
}

/** Posts the signed event to origin's /api/stripe/webhook; throws unless the webhook accepted it. */
export async function payLocally(order: Order, origin: string): Promise<void> {
  const payload = JSON.stringify(localCheckoutCompletedEvent(order));
  const secret = getEnv().STRIPE_WEBHOOK_SECRET[0];
  if (!secret) throw new SelfDeliveryError("no STRIPE_WEBHOOK_SECRET to sign the test event with");
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  await postSignedToOwnWebhook(origin, "/api/stripe/webhook", payload, { "stripe-signature": signature });
}
