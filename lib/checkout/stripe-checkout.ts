/**
 * Stripe Checkout: one Session per Buy click. The webhook (not the redirect
 * back) grants the credits; these fields are what it reads to find the buyer
 * and the pack.
 */
import type Stripe from "stripe";
import type { Order } from "./order";
import { getStripe } from "./stripe-client";

/** appUrl: APP_URL, where Stripe sends the buyer back (never a Host header a client chose). */
export function checkoutSessionParams(order: Order, appUrl: string): Stripe.Checkout.SessionCreateParams {
  const { buyer, pack } = order;
  const metadata = { package_id: pack.id, user_id: buyer.userId };
  const lineItem: Stripe.Checkout.SessionCreateParams.LineItem = pack.stripe_price_id
    ? { price: pack.stripe_price_id, quantity: 1 }
    : {
        quantity: 1,
        price_data: {
          currency: pack.currency,
          unit_amount: pack.amount_minor,
          product_data: { name: `${pack.name}: ${pack.credits.toLocaleString("en-US")} credits` },
        },
      };
  return {
    mode: "payment",
    line_items: [lineItem],
    client_reference_id: buyer.userId,
    customer_email: buyer.email,
    metadata,
    payment_intent_data: { metadata },
    success_url: `${appUrl}/wallet?checkout=success`,
    cancel_url: `${appUrl}/wallet?checkout=cancelled`,
  };
}

/** The URL of the hosted payment page. */
export async function createStripeCheckout(order: Order, appUrl: string): Promise<string> {
  const session = await getStripe().checkout.sessions.create(checkoutSessionParams(order, appUrl));
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
  return session.url;
}
