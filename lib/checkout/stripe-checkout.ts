/**
 * Stripe Checkout: one Session per Buy click. The webhook (not the redirect
 * back) grants the credits; these fields are what it reads to find the buyer
 * and the pack.
 */
import type Stripe from "stripe";
import { TOPUP_PAGE } from "@/lib/topups/pages";
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

/**
 * appUrl: APP_URL, where Stripe sends the buyer back (never a Host header a client chose).
 * With "Save this card for automatic top-ups" the payment is made for a Customer (the buyer's saved
 * one, `customerId`, else a new one) and Stripe keeps the card for off-session charges
 * (setup_future_usage); metadata.save_card tells the webhook to keep the card's ids.
 */
export function checkoutSessionParams(
  order: Order,
  appUrl: string,
  customerId: string | null = null,
): Stripe.Checkout.SessionCreateParams {
  const { buyer, pack } = order;
  const metadata: Record<string, string> = { package_id: pack.id, user_id: buyer.userId };
  if (order.saveCard) metadata.save_card = "1";
  const lineItem = checkoutLineItem(pack, `${pack.name}: ${pack.credits.toLocaleString("en-US")} credits`);
  const customer: Partial<Stripe.Checkout.SessionCreateParams> = !order.saveCard
    ? { customer_email: buyer.email }
    : customerId
      ? { customer: customerId }
      : { customer_email: buyer.email, customer_creation: "always" };
  return {
    mode: "payment",
    line_items: [lineItem],
    client_reference_id: buyer.userId,
    ...customer,
    metadata,
    payment_intent_data: { metadata, ...(order.saveCard ? { setup_future_usage: "off_session" as const } : {}) },
    success_url: order.saveCard ? `${appUrl}${TOPUP_PAGE}?card=saved` : `${appUrl}/wallet?checkout=success`,
    cancel_url: `${appUrl}/wallet?checkout=cancelled`,
  };
}

/** The URL of the hosted payment page. */
export async function createStripeCheckout(
  order: Order,
  appUrl: string,
  customerId: string | null = null,
): Promise<string> {
  const session = await getStripe().checkout.sessions.create(checkoutSessionParams(order, appUrl, customerId));
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
  return session.url;
}
