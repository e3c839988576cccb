/**
 * Stripe Checkout: one Session per Buy click. The webhook (not the redirect
 * back) grants the credits; these fields are what it reads to find the buyer
 * and the pack.
 */
import type Stripe from "stripe";
import type { Order } from "./order";
import { getStripe } from "./stripe-client";

/**
 * The one line of a Checkout Session: the product's own Stripe Price when it is set, else an inline
 * price from our row (amount and currency as the catalogue says, `recurring` for a plan).
 */
export function checkoutLineItem(
  product: { stripe_price_id: string | null; currency: string; amount_minor: number },
  name: string,
  recurring?: Stripe.Checkout.SessionCreateParams.LineItem.PriceData.Recurring,
): Stripe.Checkout.SessionCreateParams.LineItem {
  if (product.stripe_price_id) return { price: product.stripe_price_id, quantity: 1 };
  return {
    quantity: 1,
    price_data: {
      currency: product.currency,
      unit_amount: product.amount_minor,
      ...(recurring ? { recurring } : {}),
      product_data: { name },
    },
  };
}

/** appUrl: APP_URL, where Stripe sends the buyer back (never a Host header a client chose). */
export function checkoutSessionParams(order: Order, appUrl: string): Stripe.Checkout.SessionCreateParams {
  const { buyer, pack } = order;
  const metadata = { package_id: pack.id, user_id: buyer.userId };
  const lineItem = checkoutLineItem(pack, `${pack.name}: ${pack.credits.toLocaleString("en-US")} credits`);
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
