/**
 * Subscription events: invoice.paid grants a plan's credits once per invoice,
 * invoice.payment_failed marks a renewal past due, invoice_payment.paid links a
 * period's payment to its invoice, and customer.subscription.* keep the state.
 * Pure planners like handle.ts; the SQL actions are in
 * supabase/schemas/070_subscriptions.sql and 060_webhook_events.sql (link_payment).
 *
 * The plan is read from the invoice's Price id (what the customer pays for,
 * also after a plan switch in the Billing Portal; with several, the largest
 * positive line's), else from the plan_id our checkout put in the
 * subscription's metadata: credits per period come from our plan table, never
 * from the payload, and what an invoice grants follows what it paid.
 */
import type { z } from "zod";
import {
  linkPaymentAction,
  subscriptionAction,
  subscriptionInvoicePaidAction,
  subscriptionPaymentFailedAction,
} from "@/lib/db/actions";
import { fail, ignore, type Plan } from "@/lib/ingest/types";
import { asUserId, creditsFrom, idList, parsePart } from "@/lib/providers/parse";
import { invoicePaymentSchema, invoiceSchema, subscriptionSchema, type StripeEvent } from "./schema";

type Invoice = z.infer<typeof invoiceSchema>;
type Priced = {
  price: string | null;
  plan: string | null;
  pricing?: { price_details?: { price: string | null } | null } | null;
};

const priceOf = (item: Priced): string | null => item.pricing?.price_details?.price ?? item.price ?? item.plan ?? null;

const isoFromUnix = (seconds: number | null | undefined): string | null =>
  seconds ? new Date(seconds * 1000).toISOString() : null;

/** The subscription an invoice bills and the metadata our checkout gave it, in every API version's place. */
function subscriptionOf(inv: Invoice) {
  const details = inv.parent?.subscription_details ?? inv.subscription_details ?? null;
  const lines = inv.lines?.data ?? [];
  // before 2022-08-01 the subscription's metadata is only on its invoice lines
  const lineMetadata = Object.assign({}, ...lines.map((line) => line.metadata));
  const metadata: Record<string, string | null | undefined> = {
    ...lineMetadata,
    ...inv.metadata,
    ...(details?.metadata ?? {}),
  };
  const periodEnd = Math.max(0, ...lines.map((line) => line.period?.end ?? 0));
  return {
    subscriptionId: details?.subscription ?? inv.subscription,
    metadata,
    priceIds: idList(...lines.map(priceOf)),
    // what each line charged for which Price: the plan is the largest positive line's (SQL)
    lines: lines.map((line) => ({ price: priceOf(line), amount: line.amount ?? null })),
    periodEnd: periodEnd > 0 ? periodEnd : null,
  };
}

/** Who an invoice bills and for which plan: what both invoice actions name. */
function partyOf(inv: Invoice, sub: ReturnType<typeof subscriptionOf>) {
  return {
    customerId: inv.customer,
    userId: asUserId(sub.metadata.user_id),
    email: inv.customer_email ?? null,
    planId: sub.metadata.plan_id?.trim() || null,
    priceIds: sub.priceIds,
  };
}

/** The invoice of a subscription, or the plan that ends the event here (not an invoice, or not a subscription's). */
function subscriptionInvoice(event: StripeEvent) {
  const parsed = parsePart(invoiceSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed;
  const inv = parsed.value;
  const sub = subscriptionOf(inv);
  const located = { email: inv.customer_email ?? null, externalId: inv.id };
  if (!sub.subscriptionId)
    return { ok: false as const, plan: { ...ignore("invoice is not for a subscription"), ...located } };
  return { ok: true as const, inv, sub, subscriptionId: sub.subscriptionId, located };
}

export function invoicePaid(event: StripeEvent): Plan {
  const billed = subscriptionInvoice(event);
  if (!billed.ok) return billed.plan;
  const { inv, sub, subscriptionId, located } = billed;
  const legacy = creditsFrom(sub.metadata);
  return {
    ...subscriptionInvoicePaidAction({
      invoiceId: inv.id,
      subscriptionId,
      ...partyOf(inv, sub),
      // subscriptions made in the Dashboard may name a pack or a credit count instead of a plan
      packageId: legacy.packageId,
      credits: legacy.credits,
      // credits follow money: what a period or a proration paid decides what it grants (SQL)
      billingReason: inv.billing_reason ?? null,
      lines: sub.lines,
      amountMinor: inv.amount_paid,
      currency: inv.currency,
      // before API 2025-03-31 the invoice names its payment; from then on invoice_payment.paid does
      paymentIds: idList(inv.payment_intent, inv.charge),
      periodEnd: isoFromUnix(sub.periodEnd),
      eventAt: isoFromUnix(event.created),
      eventId: event.id,
    }),
    ...located,
  };
}

export function invoicePaymentFailed(event: StripeEvent): Plan {
  const billed = subscriptionInvoice(event);
  if (!billed.ok) return billed.plan;
  const { inv, sub, subscriptionId, located } = billed;
  const attempt = inv.attempt_count ? `Attempt ${inv.attempt_count} failed` : "Payment failed";
  const next = inv.next_payment_attempt
    ? `Stripe retries on ${new Date(inv.next_payment_attempt * 1000).toISOString().slice(0, 10)}`
    : "no further automatic attempt";
  return {
    ...subscriptionPaymentFailedAction({
      invoiceId: inv.id,
      subscriptionId,
      ...partyOf(inv, sub),
      reason: `${attempt}; ${next}`,
      eventAt: isoFromUnix(event.created),
    }),
    ...located,
  };
}

export function invoicePaymentPaid(event: StripeEvent): Plan {
  const parsed = parsePart(invoicePaymentSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const payment = parsed.value;
  if (!payment.invoice) return fail(`invoice_payment ${payment.id} names no invoice`);
  const paymentIds = idList(payment.payment?.payment_intent, payment.payment?.charge);
  if (paymentIds.length === 0) {
    return {
      ...ignore(`invoice_payment ${payment.id} was not paid by a payment intent or charge`),
      externalId: payment.invoice,
    };
  }
  return {
    ...linkPaymentAction({ provider: "stripe", externalId: payment.invoice, paymentIds, eventId: event.id }),
    externalId: payment.invoice,
  };
}

export function subscriptionChanged(event: StripeEvent): Plan {
  const parsed = parsePart(subscriptionSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const sub = parsed.value;
  const credits = creditsFrom(sub.metadata);
  const items = sub.items?.data ?? [];
  const periodEnd = sub.current_period_end ?? items[0]?.current_period_end ?? null;
  return {
    ...subscriptionAction({
      provider: "stripe",
      externalId: sub.id,
      status: event.type === "customer.subscription.deleted" && sub.status !== "canceled" ? "canceled" : sub.status,
      customerId: sub.customer,
      userId: asUserId(sub.metadata.user_id),
      email: sub.metadata.email ?? null,
      planId: sub.metadata.plan_id?.trim() || null,
      priceIds: idList(...items.map(priceOf)),
      packageId: credits.packageId,
      creditsPerPeriod: credits.credits,
      currentPeriodEnd: isoFromUnix(periodEnd),
      cancelAtPeriodEnd: sub.cancel_at_period_end ?? false,
      eventAt: isoFromUnix(event.created),
    }),
    email: sub.metadata.email ?? null,
    externalId: sub.id,
  };
}
