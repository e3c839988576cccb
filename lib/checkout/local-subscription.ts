/**
 * The local test checkout for plans (no STRIPE_SECRET_KEY, or
 * LOCAL_TEST_CHECKOUT=1): no money moves. Each button sends our own webhook the
 * signed events a real subscription produces at that moment, so credits and
 * state arrive through exactly the path live subscriptions take:
 * - subscribe: customer.subscription.created, invoice.paid, invoice_payment.paid;
 * - start next period now: the next invoice.paid (and its invoice_payment.paid);
 * - fail the next renewal: invoice.payment_failed (past due, no credits);
 * - pay the overdue invoice: invoice.paid for the invoice that failed;
 * - cancel: customer.subscription.updated (cancel_at_period_end), then
 *   customer.subscription.deleted.
 */
import Stripe from "stripe";
import { getEnv } from "@/lib/env";
import type { UserSubscription } from "@/lib/db/rpc/subscriptions";
import { postSignedToOwnWebhook, SelfDeliveryError } from "@/lib/http/post-signed";
import {
  addMonth,
  derivedId,
  invoiceEvent,
  invoicePaymentPaidEvent,
  subscriptionEvent,
  testId,
  type TestSubscription,
} from "@/lib/providers/stripe/test-subscription-events";
import type { PlanOrder } from "./order";

export const LOCAL_SUBSCRIPTION_PREFIX = "sub_local_";

export const isLocalSubscription = (s: Pick<UserSubscription, "external_id">) =>
  s.external_id.startsWith(LOCAL_SUBSCRIPTION_PREFIX);

export const TEST_ACTIONS = ["renew", "fail", "pay", "cancel"] as const;
export type TestAction = (typeof TEST_ACTIONS)[number];

/**
 * Posts each event, in order, signed with STRIPE_WEBHOOK_SECRET, to our own webhook at APP_URL
 * (never an origin taken from the request); throws unless the webhook accepted every one.
 */
async function deliver(events: object[]): Promise<void> {
  const { APP_URL: origin, STRIPE_WEBHOOK_SECRET } = getEnv();
  const secret = STRIPE_WEBHOOK_SECRET[0];
  if (!secret) throw new SelfDeliveryError("no STRIPE_WEBHOOK_SECRET to sign the test event with");
  for (const event of events) {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    await postSignedToOwnWebhook(origin, "/api/stripe/webhook", payload, { "stripe-signature": signature });
  }
}

const paid = (s: TestSubscription, invoice: Parameters<typeof invoiceEvent>[2]) => [
  invoiceEvent("invoice.paid", s, invoice),
  invoicePaymentPaidEvent(s, invoice.id, testId("pi")),
];

/**
 * "Pay" on the test checkout for a plan: the subscription starts and its first period is paid.
 * `earlier` is how many subscriptions to this plan the buyer had when the click was checked
 * (none of them live): the subscription's id comes from the buyer, the plan and that count, and
 * its first invoice's from the subscription, so two clicks at once send the same subscription
 * and the same invoice, and the webhook grants the period once.
 */
export async function subscribeLocally(order: PlanOrder, earlier: number): Promise<void> {
  const { buyer, plan } = order;
  const subscriptionId = derivedId("sub", buyer.userId, plan.id, String(earlier));
  const s: TestSubscription = {
    subscriptionId,
    customerId: derivedId("cus", buyer.userId),
    userId: buyer.userId,
    email: buyer.email,
    planId: plan.id,
    priceId: plan.stripe_price_id ?? `price_local_${plan.id}`,
    amountMinor: plan.amount_minor,
    currency: plan.currency,
  };
  const start = new Date();
  const period = { start, end: addMonth(start) };
  await deliver([
    subscriptionEvent("customer.subscription.created", s, period, { status: "active", at: start }),
    ...paid(s, { id: derivedId("in", subscriptionId, "first"), period, reason: "subscription_create", at: start }),
  ]);
}

/** The events one test action sends for a local subscription of this user (amount and plan from our own row). */
export function testActionEvents(
  action: TestAction,
  sub: UserSubscription,
  buyer: { userId: string; email: string },
): object[] {
  if (!sub.plan_id || sub.amount_minor === null || !sub.currency)
    throw new SelfDeliveryError(`subscription ${sub.external_id} has no plan`);
  const s: TestSubscription = {
    subscriptionId: sub.external_id,
    customerId: sub.customer_id ?? testId("cus"),
    userId: buyer.userId,
    email: buyer.email,
    planId: sub.plan_id,
    priceId: `price_local_${sub.plan_id}`,
    amountMinor: sub.amount_minor,
    currency: sub.currency,
  };
  const now = new Date();
  const start = sub.current_period_end ?? now;
  const next = { start, end: addMonth(start) };
  // the next period's invoice: one id per (subscription, period), so two clicks at once pay it once
  const nextInvoice = derivedId("in", sub.external_id, start.toISOString());
  switch (action) {
    case "renew":
      return paid(s, { id: nextInvoice, period: next, reason: "subscription_cycle" });
    case "fail":
      return [
        invoiceEvent("invoice.payment_failed", s, { id: nextInvoice, period: next, reason: "subscription_cycle" }),
      ];
    case "pay": {
      if (!sub.failed_invoice_id) throw new SelfDeliveryError(`subscription ${sub.external_id} has no overdue invoice`);
      return paid(s, { id: sub.failed_invoice_id, period: next, reason: "subscription_cycle" });
    }
    case "cancel": {
      const current = { start: now < start ? now : start, end: start };
      return [
        subscriptionEvent("customer.subscription.updated", s, current, {
          status: sub.status,
          cancelAtPeriodEnd: true,
          at: now,
        }),
        subscriptionEvent("customer.subscription.deleted", s, current, {
          status: "canceled",
          cancelAtPeriodEnd: true,
          at: now,
        }),
      ];
    }
  }
}

export async function runTestAction(
  action: TestAction,
  sub: UserSubscription,
  buyer: { userId: string; email: string },
) {
  await deliver(testActionEvents(action, sub, buyer));
}
