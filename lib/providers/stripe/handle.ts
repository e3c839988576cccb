/**
 * What each Stripe event means for credits (SPEC section 5). Pure: payload in,
 * one planned SQL action out, so a retry re-plans the stored payload exactly.
 *
 * Purchase identity: the PaymentIntent id when there is one, else the Checkout
 * Session id, so `checkout.session.completed` and `payment_intent.succeeded`
 * for one payment grant once. Buyer: client_reference_id, then metadata.user_id,
 * then the e-mail (matched to a profile in SQL, else a pending grant).
 */
import {
  grantAction,
  grantSaveCardAction,
  reversePaymentAction,
  topupFailedAction,
  topupSucceededAction,
  type ReversalKind,
} from "@/lib/db/actions";
import { fail, ignore, record, type Plan } from "@/lib/ingest/types";
import { asUserId, asUuid, creditsFrom, idList, parsePart } from "@/lib/providers/parse";
import {
  chargeSchema,
  checkoutSessionSchema,
  disputeSchema,
  paymentIntentSchema,
  stripeEventSchema,
  type StripeEvent,
} from "./schema";
import { invoicePaid, invoicePaymentFailed, invoicePaymentPaid, subscriptionChanged } from "./subscription-events";

/** The card the buyer asked to save ("Save this card for automatic top-ups": metadata.save_card). */
interface CardToSave {
  customerId: string;
  paymentMethodId: string | null;
  testCard: boolean;
}

/** metadata.save_card is "1" (Stripe Checkout) or "test" (the local test checkout's test card); a Customer is needed. */
function cardToSave(
  metadata: Record<string, string | null | undefined>,
  customerId: string | null,
  paymentMethodId: string | null,
): CardToSave | null {
  const save = metadata.save_card;
  if ((save !== "1" && save !== "test") || !customerId) return null;
  return { customerId, paymentMethodId, testCard: save === "test" };
}

function grant(args: Omit<Parameters<typeof grantAction>[0], "provider">, card: CardToSave | null = null): Plan {
  if (!args.packageId && args.credits === null) {
    return {
      ...fail(`unknown package: metadata names neither package_id nor credits`),
      email: args.email,
      externalId: args.externalId,
    };
  }
  const action = card
    ? grantSaveCardAction({ provider: "stripe", ...args, ...card })
    : grantAction({ provider: "stripe", ...args });
  return { ...action, email: args.email, externalId: args.externalId };
}

function checkoutSession(event: StripeEvent): Plan {
  const parsed = parsePart(checkoutSessionSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const s = parsed.value;
  const externalId = s.payment_intent ?? s.id;
  const email = s.customer_details?.email ?? s.customer_email ?? null;
  const located = { email, externalId };
  if (s.mode === "subscription")
    return { ...ignore("subscription checkout: credits arrive with each invoice.paid"), ...located };
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
  return grant(
    {
      externalId,
      userId: asUserId(s.client_reference_id) ?? asUserId(s.metadata.user_id),
      email,
      ...creditsFrom(s.metadata),
      amountMinor: s.amount_total ?? 0,
      currency: s.currency ?? "usd",
      eventId: event.id,
    },
    cardToSave(s.metadata, s.customer, null),
  );
}

function paymentIntentSucceeded(event: StripeEvent): Plan {
  const parsed = parsePart(paymentIntentSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const pi = parsed.value;
  const topupId = asUuid(pi.metadata.topup_id);
  if (topupId) {
    return {
      ...topupSucceededAction({
        topupId,
        externalId: pi.id,
        userId: asUserId(pi.metadata.user_id),
        packageId: pi.metadata.package_id?.trim() || null,
        amountMinor: pi.amount_received ?? pi.amount,
        currency: pi.currency,
        eventId: event.id,
      }),
      externalId: pi.id,
    };
  }
  const credits = creditsFrom(pi.metadata);
  const email = pi.receipt_email ?? pi.metadata.email ?? null;
  if (!credits.packageId && credits.credits === null) {
    return {
      ...ignore("payment intent without credits metadata (not an Elements purchase)"),
      email,
      externalId: pi.id,
    };
  }
  return grant(
    {
      externalId: pi.id,
      userId: asUserId(pi.metadata.user_id),
      email,
      ...credits,
      amountMinor: pi.amount_received ?? pi.amount,
      currency: pi.currency,
      eventId: event.id,
    },
    cardToSave(pi.metadata, pi.customer, pi.payment_method),
  );
}

function paymentIntentFailed(event: StripeEvent): Plan {
  const parsed = parsePart(paymentIntentSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const pi = parsed.value;
  const reason = pi.last_payment_error?.message ?? "no reason given";
  const topupId = asUuid(pi.metadata.topup_id);
  if (topupId) {
    const error = pi.last_payment_error;
    return {
      ...topupFailedAction({
        topupId,
        externalId: pi.id,
        reason,
        code: error?.decline_code ?? error?.code ?? null,
      }),
      externalId: pi.id,
    };
  }
  return { ...record(`payment failed: ${reason}`), email: pi.receipt_email ?? null, externalId: pi.id };
}

/**
 * A refund or dispute names the payment, not the purchase. The payment intent is
 * a one-off purchase's own id; a subscription period's purchase is its invoice,
 * found through the charge's invoice (before API 2025-03-31) or the link that
 * invoice.paid / invoice_payment.paid recorded (SQL: purchase_payments).
 */
function chargeRefunded(event: StripeEvent): Plan {
  const parsed = parsePart(chargeSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const charge = parsed.value;
  const email = charge.billing_details?.email ?? null;
  const paymentIds = idList(charge.payment_intent, charge.id, charge.invoice);
  return {
    ...reversePaymentAction({
      provider: "stripe",
      paymentIds,
      kind: "refund",
      reference: charge.id,
      // cumulative: Stripe sends the total refunded so far, so replays and reordering are harmless
      refundedMinor: Math.min(charge.amount_refunded, charge.amount),
    }),
    email,
    externalId: paymentIds[0],
  };
}

function dispute(event: StripeEvent): Plan {
  const parsed = parsePart(disputeSchema, event.data.object, event.type);
  if (!parsed.ok) return parsed.plan;
  const d = parsed.value;
  const paymentIds = idList(d.payment_intent, d.charge);
  if (paymentIds.length === 0) return ignore(`dispute ${d.id} names no payment: not a purchase of ours`);
  const reverse = (kind: ReversalKind): Plan => ({
    ...reversePaymentAction({ provider: "stripe", paymentIds, kind, reference: d.id, refundedMinor: null }),
    externalId: paymentIds[0],
  });
  if (event.type === "charge.dispute.created") return reverse("dispute");
  if (d.status === "won") return reverse("dispute_reinstated");
  if (d.status === "lost") return reverse("dispute_lost");
  return { ...record(`dispute ${d.id} closed as ${d.status}; credits unchanged`), externalId: paymentIds[0] };
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
  "invoice.payment_failed": invoicePaymentFailed,
  "invoice_payment.paid": invoicePaymentPaid,
  "customer.subscription.created": subscriptionChanged,
  "customer.subscription.updated": subscriptionChanged,
  "customer.subscription.deleted": subscriptionChanged,
};

/** The event types with an effect (reconciliation asks Stripe's events API for these). */
export const STRIPE_HANDLED_TYPES = Object.keys(HANDLERS);

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
