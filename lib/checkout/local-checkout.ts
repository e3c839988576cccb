/**
 * The local test checkout (no STRIPE_SECRET_KEY; in production only with
 * LOCAL_TEST_CHECKOUT=1): no money moves. "Pay" does what `stripe trigger`
 * does: it sends our own webhook, at APP_URL, a real checkout.session.completed
 * signed with STRIPE_WEBHOOK_SECRET, so the credits arrive through exactly the
 * path real payments take. "Save this card for automatic top-ups" saves a test
 * card (metadata.save_card = "test"), which the top-up worker "charges" the same
 * way (lib/topups/charge.ts). The address is never taken from the request: a
 * Host or X-Forwarded-Host would send the signed event wherever the caller says.
 */
import Stripe from "stripe";
import { getEnv } from "@/lib/env";
import { postSignedToOwnWebhook, SelfDeliveryError } from "@/lib/http/post-signed";
import { paidCheckoutEvent } from "@/lib/providers/stripe/test-events";
import type { Order } from "./order";

export function localCheckoutEnabled(): boolean {
  return getEnv().localCheckout;
}

/** Card payments work: a Stripe key, or the local test checkout. Else pages say they are not configured. */
export function cardPaymentsConfigured(): boolean {
  const env = getEnv();
  return env.localCheckout || env.STRIPE_SECRET_KEY !== undefined;
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
    // the test card: a Customer of our own making, nothing real behind it
    saveTestCard: order.saveCard ? { customerId: `cus_test_${buyer.userId.replaceAll("-", "")}` } : undefined,
  });
}

/** Posts the signed event to APP_URL's /api/stripe/webhook; throws unless the webhook accepted it. */
export async function payLocally(order: Order): Promise<void> {
  const payload = JSON.stringify(localCheckoutCompletedEvent(order));
  const env = getEnv();
  const secret = env.STRIPE_WEBHOOK_SECRET[0];
  if (!secret) throw new SelfDeliveryError("no STRIPE_WEBHOOK_SECRET to sign the test event with");
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  await postSignedToOwnWebhook(env.APP_URL, "/api/stripe/webhook", payload, { "stripe-signature": signature });
}
