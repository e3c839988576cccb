/**
 * What each Stripe event means for credits (SPEC section 5). Pure: payload in,
 * one planned SQL action out, so a retry re-plans the stored payload exactly.
 *
 * Purchase identity: the PaymentIntent id when there is one, else the Checkout
 * Session id, so `checkout.session.completed` and `payment_intent.succeeded`
 * for one payment grant once. Buyer: client_reference_id, then metadata.user_id,
 * then the e-mail (matched to a profile in SQL, else a pending grant).
 */
import type { z } from "zod";
import { fail, ignore, record, type Plan } from "@/lib/ingest/types";
import {
  chargeSchema,
  checkoutSessionSchema,
  disputeSchema,
  invoiceSchema,
  paymentIntentSchema,
  stripeEventSchema,
  subscriptionSchema,
  type StripeEvent,
} from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const asUserId = (value: string | null | undefined): string | null => (value && UUID.test(value) ? value : null);

/** Credits named by metadata: a package id (credits looked up in SQL) or a whole number of credits. */
function creditsFrom(metadata: Record<string, string | null | undefined>): { packageId: string | null; credits: number | null } {
  const packageId = metadata.package_id?.trim() || null;
  const raw = metadata.credits?.trim();
  const credits = raw && /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
  return { packageId, credits };
}

function grant(args: {
  externalId: string;
  userId: string | null;
  email: string | null;
  packageId: string | null;
  credits: number | null;
  amountMinor: number;
  currency: string;
  eventId: string;
}): Plan {
  if (!args.packageId && args.credits === null) {
    return { ...fail(`unknown package: metadata names neither package_id nor credits`), email: args.email, externalId: args.externalId };
  }
  return {
    action: "grant",
    args: {
      provider: "stripe",
      external_id: args.externalId,
      user_id: args.userId,
      email: args.email,
      // a package id wins: its credits are the price list's, not the caller's
      credits: args.packageId ? null : args.credits,
      package_id: args.packageId,
      amount_minor: args.amountMinor,
      currency: args.currency,
      event_id: args.eventId,
    },
    email: args.email,
    externalId: args.externalId,
  };
}

function parseObject<S extends z.ZodType>(schema: S, event: StripeEvent): z.infer<S> | Plan {
  const parsed = schema.safeParse(event.data.object);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail(`unexpected ${event.type} payload: ${issue.path.join(".") || "object"} ${issue.message}`);
}

const isPlan = (value: unknown): value is Plan =>
  typeof value === "object" && value !== null && "action" in value && "args" in value;

function checkoutSession(event: StripeEvent): Plan {
  const s = parseObject(checkoutSessionSchema, event);
  if (isPlan(s)) return s;
  const externalId = s.payment_intent ?? s.id;
  const email = s.customer_details?.email ?? s.customer_email ?? null;
  const located = { email, externalId };
  if (s.mode === "subscription") return { ...ignore("subscription checkout: credits arrive with each invoice.paid"), ...located };
  if (s.mode === "setup") return { ...ignore("setup checkout: no payment"), ...located };
  if (event.type === "checkout.session.async_payment_failed") {
    return { ...record(`async payment failed for ${s.id}; no credits`), ...located };
  }
  if (event.type === "checkout.session.completed" && s.payment_status === "unpaid") {
    return { ...record(`awaiting async payment for ${s.id}`), ...located };
  }
  if (!["paid", "no_payment_required"].includes(s.payment_status)) {
    return { ...ignore(`payment status ${s.payment_status}: nothing to grant`), ...located };
  }
  return grant({
    externalId,
    userId: asUserId(s.client_reference_id) ?? asUserId(s.metadata.user_id),
    email,
    ...creditsFrom(s.metadata),
    amountMinor: s.amount_total ?? 0,
    currency: s.currency ?? "usd",
    eventId: event.id,
  });
}

function paymentIntentSucceeded(event: StripeEvent): Plan {
  const pi = parseObject(paymentIntentSchema, event);
  if (isPlan(pi)) return pi;
  const credits = creditsFrom(pi.metadata);
  const email = pi.receipt_email ?? pi.metadata.email ?? null;
  if (!credits.packageId && credits.credits === null) {
    return { ...ignore("payment intent without credits metadata (not an Elements purchase)"), email, externalId: pi.id };
  }
  return grant({
    externalId: pi.id,
    userId: asUserId(pi.metadata.user_id),
    email,
    ...credits,
    amountMinor: pi.amount_received ?? pi.amount,
    currency: pi.currency,
    eventId: event.id,
  });
}

function paymentIntentFailed(event: StripeEvent): Plan {
  const pi = parseObject(paymentIntentSchema, event);
  if (isPlan(pi)) return pi;
  const reason = pi.last_payment_error?.message ?? "no reason given";
  return { ...record(`payment failed: ${reason}`), email: pi.receipt_email ?? null, externalId: pi.id };
}

function chargeRefunded(event: StripeEvent): Plan {
  const charge = parseObject(chargeSchema, event);
  if (isPlan(charge)) return charge;
  const email = charge.billing_details?.email ?? null;
  if (!charge.payment_intent) return { ...ignore(`charge ${charge.id} has no payment intent: not a purchase of ours`), email };
  return {
    action: "reverse",
    args: {
      provider: "stripe",
      external_id: charge.payment_intent,
      kind: "refund",
      reference: charge.id,
      // cumulative: Stripe sends the total refunded so far, so replays and reordering are harmless
      refunded_minor: Math.min(charge.amount_refunded, charge.amount),
    },
    email,
    externalId: charge.payment_intent,
  };
}

function dispute(event: StripeEvent): Plan {
  const d = parseObject(disputeSchema, event);
  if (isPlan(d)) return d;
  if (!d.payment_intent) return ignore(`dispute ${d.id} has no payment intent: not a purchase of ours`);
  const reverse = (kind: string): Plan => ({
    action: "reverse",
    args: { provider: "stripe", external_id: d.payment_intent, kind, reference: d.id },
    externalId: d.payment_intent,
  });
  if (event.type === "charge.dispute.created") return reverse("dispute");
  if (d.status === "won") return reverse("dispute_reinstated");
  if (d.status === "lost") return reverse("dispute_lost");
  return { ...record(`dispute ${d.id} closed as ${d.status}; credits unchanged`), externalId: d.payment_intent };
}

function invoicePaid(event: StripeEvent): Plan {
  const inv = parseObject(invoiceSchema, event);
  if (isPlan(inv)) return inv;
  const details = inv.parent?.subscription_details ?? inv.subscription_details ?? null;
  const subscriptionId = details?.subscription ?? inv.subscription;
  const email = inv.customer_email ?? null;
  if (!subscriptionId) return { ...ignore("invoice is not for a subscription"), email, externalId: inv.id };
  const meta = { ...inv.metadata, ...(details?.metadata ?? {}) };
  return grant({
    externalId: inv.id, // once per invoice: each billing period is its own payment
    userId: asUserId(meta.user_id),
    email,
    ...creditsFrom(meta),
    amountMinor: inv.amount_paid,
    currency: inv.currency,
    eventId: event.id,
  });
}

function subscriptionChanged(event: StripeEvent): Plan {
  const sub = parseObject(subscriptionSchema, event);
  if (isPlan(sub)) return sub;
  const credits = creditsFrom(sub.metadata);
  const periodEnd = sub.current_period_end ?? sub.items?.data[0]?.current_period_end ?? null;
  return {
    action: "subscription",
    args: {
      provider: "stripe",
      external_id: sub.id,
      status: event.type === "customer.subscription.deleted" && sub.status !== "canceled" ? "canceled" : sub.status,
      customer_id: sub.customer,
      user_id: asUserId(sub.metadata.user_id),
      email: sub.metadata.email ?? null,
      package_id: credits.packageId,
      credits_per_period: credits.credits,
      current_period_end: periodEnd ? new Date(periodEnd * 1000).toISOString() : null,
      cancel_at_period_end: sub.cancel_at_period_end ?? false,
      event_at: new Date(event.created * 1000).toISOString(),
    },
    email: sub.metadata.email ?? null,
    externalId: sub.id,
  };
}

const HANDLERS: Record<string, (event: StripeEvent) => Plan> = {
  "checkout.session.completed": checkoutSession,
  "checkout.session.async_payment_succeeded": checkoutSession,
  "checkout.session.async_payment_failed": checkoutSession,
  "payment_intent.succeeded": paymentIntentSucceeded,
  "payment_intent.payment_failed": paymentIntentFailed,
  "charge.refunded": chargeRefunded,
  "charge.dispute.created": dispute,
  "charge.dispute.closed": dispute,
  "invoice.paid": invoicePaid,
  "customer.subscription.created": subscriptionChanged,
  "customer.subscription.updated": subscriptionChanged,
  "customer.subscription.deleted": subscriptionChanged,
};

/** Plans an envelope that already passed stripeEventSchema (the webhook route parses it once, while verifying). */
export function planParsedStripeEvent(event: StripeEvent): Plan {
  const handler = HANDLERS[event.type];
  return handler ? handler(event) : ignore(`unhandled event type ${event.type}`);
}

export function planStripeEvent(payload: unknown): Plan {
  const parsed = stripeEventSchema.safeParse(payload);
  if (!parsed.success) return fail("stored payload is not a Stripe event");
  return planParsedStripeEvent(parsed.data);
}
