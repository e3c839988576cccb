/**
 * The events a Stripe subscription produces, shaped as Stripe sends them at API
 * 2025-03-31 (the period on the subscription item, the subscription on the
 * invoice's parent, the payment in invoice_payment.paid): what the local test
 * checkout emits for plans, and what tests send. Ids carry `local` (or the
 * caller's tag) so they can never be mistaken for live objects.
 */
import { createHash, randomBytes } from "node:crypto";

const API_VERSION = "2025-03-31.basil";

export interface TestSubscription {
  /** sub_…, cus_… of the subscription these events are about. */
  subscriptionId: string;
  customerId: string;
  userId: string;
  email: string;
  planId: string;
  /** The plan's Stripe Price, or a placeholder naming the plan. */
  priceId: string;
  amountMinor: number;
  currency: string;
}

export const testId = (prefix: string, tag = "local") => `${prefix}_${tag}_${randomBytes(10).toString("hex")}`;

/**
 * An id made from what it names (the same parts give the same id): two clicks
 * that mean the same subscription or the same period produce the same
 * objects, so the webhook's exactly-once rules make the second one change nothing.
 */
export const derivedId = (prefix: string, ...parts: string[]) =>
  `${prefix}_local_${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 24)}`;

const unix = (date: Date) => Math.floor(date.getTime() / 1000);

/** The same day next month (clamped to the month's end), as Stripe bills monthly. */
export function addMonth(date: Date): Date {
  const next = new Date(
    Date.UTC(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      1,
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return next;
}

function envelope(type: string, object: Record<string, unknown>, at: Date) {
  return {
    id: testId("evt"),
    object: "event",
    type,
    api_version: API_VERSION,
    created: unix(at),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

const metadataOf = (s: TestSubscription) => ({ user_id: s.userId, plan_id: s.planId });

/** customer.subscription.created / updated / deleted for a subscription in this period. */
export function subscriptionEvent(
  type: "customer.subscription.created" | "customer.subscription.updated" | "customer.subscription.deleted",
  s: TestSubscription,
  period: { start: Date; end: Date },
  state: { status: string; cancelAtPeriodEnd?: boolean; at?: Date },
) {
  const at = state.at ?? new Date();
  return envelope(
    type,
    {
      id: s.subscriptionId,
      object: "subscription",
      status: state.status,
      customer: s.customerId,
      cancel_at_period_end: state.cancelAtPeriodEnd ?? false,
      canceled_at: state.status === "canceled" ? unix(at) : null,
      ended_at: state.status === "canceled" ? unix(at) : null,
      collection_method: "charge_automatically",
      currency: s.currency,
      livemode: false,
      metadata: metadataOf(s),
      items: {
        object: "list",
        data: [
          {
            id: `si_${s.subscriptionId.slice(4)}`,
            object: "subscription_item",
            quantity: 1,
            current_period_start: unix(period.start),
            current_period_end: unix(period.end),
            price: {
              id: s.priceId,
              object: "price",
              currency: s.currency,
              unit_amount: s.amountMinor,
              recurring: { interval: "month", interval_count: 1 },
              type: "recurring",
            },
          },
        ],
      },
    },
    at,
  );
}

/** One billing period's invoice: invoice.paid or invoice.payment_failed. */
export function invoiceEvent(
  type: "invoice.paid" | "invoice.payment_failed",
  s: TestSubscription,
  invoice: {
    id: string;
    period: { start: Date; end: Date };
    reason: "subscription_create" | "subscription_cycle";
    at?: Date;
  },
) {
  const at = invoice.at ?? new Date();
  const paid = type === "invoice.paid";
  return envelope(
    type,
    {
      id: invoice.id,
      object: "invoice",
      status: paid ? "paid" : "open",
      billing_reason: invoice.reason,
      customer: s.customerId,
      customer_email: s.email,
      currency: s.currency,
      amount_due: s.amountMinor,
      amount_paid: paid ? s.amountMinor : 0,
      amount_remaining: paid ? 0 : s.amountMinor,
      attempt_count: 1,
      attempted: true,
      next_payment_attempt: paid ? null : unix(new Date(at.getTime() + 3 * 86_400_000)),
      livemode: false,
      metadata: {},
      period_start: unix(invoice.period.start),
      period_end: unix(invoice.period.end),
      parent: {
        type: "subscription_details",
        quote_details: null,
        subscription_details: { subscription: s.subscriptionId, metadata: metadataOf(s) },
      },
      lines: {
        object: "list",
        has_more: false,
        data: [
          {
            id: `il_${invoice.id.slice(3)}`,
            object: "line_item",
            amount: s.amountMinor,
            currency: s.currency,
            metadata: {},
            period: { start: unix(invoice.period.start), end: unix(invoice.period.end) },
            pricing: { type: "price_details", price_details: { price: s.priceId, product: `prod_${s.planId}` } },
          },
        ],
      },
      status_transitions: { finalized_at: unix(at), paid_at: paid ? unix(at) : null },
    },
    at,
  );
}

/** invoice_payment.paid: which payment intent paid the invoice (how refunds find the period). */
export function invoicePaymentPaidEvent(
  s: TestSubscription,
  invoiceId: string,
  paymentIntentId: string,
  at = new Date(),
) {
  return envelope(
    "invoice_payment.paid",
    {
      id: testId("inpay"),
      object: "invoice_payment",
      amount_paid: s.amountMinor,
      amount_requested: s.amountMinor,
      currency: s.currency,
      invoice: invoiceId,
      is_default: true,
      livemode: false,
      payment: { type: "payment_intent", payment_intent: paymentIntentId },
      status: "paid",
      status_transitions: { canceled_at: null, paid_at: unix(at) },
    },
    at,
  );
}
