/**
 * Monthly plans through Stripe Billing: Checkout in subscription mode to
 * subscribe, the Billing Portal to change the card or cancel. As with packs,
 * the webhook (invoice.paid), not the redirect back, grants the credits; the
 * metadata set here is what it reads to find the buyer and the plan.
 */
import type Stripe from "stripe";
import { getDb } from "@/lib/db";
import { isLive, listUserSubscriptions, type UserSubscription } from "@/lib/db/rpc/subscriptions";
import { jsonError } from "@/lib/http/json";
import type { PlanOrder } from "./order";
import { getStripe } from "./stripe-client";
import { checkoutLineItem } from "./stripe-checkout";

/** The buyer's subscriptions to this plan, and the live one if any: subscribing twice is refused. */
export async function subscriptionsToPlan(order: PlanOrder): Promise<{ live: UserSubscription | null; count: number }> {
  const subscriptions = (await listUserSubscriptions(getDb(), order.buyer.userId)).filter(
    (s) => s.plan_id === order.plan.id,
  );
  return { live: subscriptions.find(isLive) ?? null, count: subscriptions.length };
}

/**
 * 409 with a message a person understands when the buyer already has this plan; else how many
 * (ended) subscriptions to it they had, read in the same query (the local test checkout names
 * the new subscription by it).
 */
export async function refuseIfSubscribed(order: PlanOrder): Promise<{ refused: Response } | { earlier: number }> {
  const { live, count } = await subscriptionsToPlan(order);
  if (!live) return { earlier: count };
  return {
    refused: jsonError(409, `you already subscribe to ${order.plan.name}; manage or cancel it on your wallet`),
  };
}

/** appUrl: APP_URL, where Stripe sends the buyer back (never a Host header a client chose). */
export function subscriptionCheckoutParams(
  order: PlanOrder,
  appUrl: string,
  customerId: string | null,
): Stripe.Checkout.SessionCreateParams {
  const { buyer, plan } = order;
  const metadata = { plan_id: plan.id, user_id: buyer.userId };
  const lineItem = checkoutLineItem(
    plan,
    `${plan.name}: ${plan.credits_per_period.toLocaleString("en-US")} credits every ${plan.billing_interval}`,
    { interval: plan.billing_interval },
  );
  return {
    mode: "subscription",
    line_items: [lineItem],
    client_reference_id: buyer.userId,
    // one Stripe customer per person: a returning subscriber keeps their card and invoices
    ...(customerId ? { customer: customerId } : { customer_email: buyer.email }),
    metadata,
    subscription_data: { metadata },
    success_url: `${appUrl}/wallet?checkout=subscribed`,
    cancel_url: `${appUrl}/wallet?checkout=cancelled`,
  };
}

/** The URL of the hosted subscription page. */
export async function createSubscriptionCheckout(order: PlanOrder, appUrl: string): Promise<string> {
  const subscriptions = await listUserSubscriptions(getDb(), order.buyer.userId);
  const customerId = subscriptions.find((s) => s.customer_id)?.customer_id ?? null;
  const session = await getStripe().checkout.sessions.create(subscriptionCheckoutParams(order, appUrl, customerId));
  if (!session.url) throw new Error("Stripe returned a Checkout Session without a url");
  return session.url;
}

/** A Billing Portal session for this Stripe customer, returning to the wallet. */
export async function createBillingPortal(customerId: string, appUrl: string): Promise<string> {
  const session = await getStripe().billingPortal.sessions.create({
    customer: customerId,
    return_url: `${appUrl}/wallet`,
  });
  return session.url;
}
