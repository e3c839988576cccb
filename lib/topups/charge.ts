/**
 * How a claimed top-up is charged: what a charge can end in, the real one
 * (an off-session PaymentIntent at Stripe) and the local test checkout's
 * (the signed PaymentIntent event Stripe would send, posted to our own
 * webhook). Credits never come from here: only from the webhook.
 */
import Stripe from "stripe";
import type { ClaimedTopup } from "@/lib/db/rpc/topups";
import { getEnv } from "@/lib/env";
import { postSignedToOwnWebhook, SelfDeliveryError } from "@/lib/http/post-signed";

export type ChargeResult =
  /** The PaymentIntent exists (its webhook settles the attempt). */
  | { kind: "created"; paymentIntentId: string }
  /** The bank said no, or the card needs the customer (authentication_required): fails the attempt now. */
  | { kind: "declined"; reason: string; code: string | null; paymentIntentId: string | null }
  /** No answer about the card (network, Stripe down, a missing card detail): tried again later, same idempotency key. */
  | { kind: "error"; message: string };

export type Charger = (attempt: ClaimedTopup) => Promise<ChargeResult>;

/** Stripe's idempotency key for an attempt: however often it is charged, Stripe makes one PaymentIntent. */
export const topupIdempotencyKey = (id: string) => `topup_${id}`;

/** What the PaymentIntent says about the attempt: Stripe sends it back in every event about it. */
export function topupMetadata(attempt: Pick<ClaimedTopup, "id" | "user_id" | "package_id">) {
  return { topup_id: attempt.id, user_id: attempt.user_id, package_id: attempt.package_id };
}

export function paymentIntentParams(attempt: ClaimedTopup): Stripe.PaymentIntentCreateParams {
  return {
    amount: attempt.amount_minor,
    currency: attempt.currency,
    customer: attempt.customer_id ?? undefined,
    payment_method: attempt.payment_method_id ?? undefined,
    off_session: true,
    confirm: true,
    description: `Automatic top-up: ${attempt.package_name} (${attempt.credits} credits)`,
    metadata: topupMetadata(attempt),
  };
}

/** Errors that say something about the card or the request, so trying again cannot help. */
function isFinal(error: unknown): error is Stripe.errors.StripeError {
  return error instanceof Stripe.errors.StripeCardError || error instanceof Stripe.errors.StripeInvalidRequestError;
}

/** The real charge: an off-session PaymentIntent for the pack's price, idempotent per attempt. */
export function stripeCharger(stripe: Stripe): Charger {
  return async (attempt) => {
    if (!attempt.customer_id || !attempt.payment_method_id) {
      return { kind: "error", message: "the saved card's payment method is not known yet" };
    }
    try {
      const pi = await stripe.paymentIntents.create(paymentIntentParams(attempt), {
        idempotencyKey: topupIdempotencyKey(attempt.id),
      });
      if (pi.status === "requires_action" || pi.status === "requires_payment_method" || pi.status === "canceled") {
        return {
          kind: "declined",
          reason:
            pi.last_payment_error?.message ??
            (pi.status === "requires_action"
              ? "your bank asks you to confirm this payment"
              : "the payment was declined"),
          code: pi.last_payment_error?.code ?? (pi.status === "requires_action" ? "authentication_required" : null),
          paymentIntentId: pi.id,
        };
      }
      return { kind: "created", paymentIntentId: pi.id };
    } catch (error) {
      if (isFinal(error)) {
        const raw = error.raw as { payment_intent?: { id?: string }; decline_code?: string } | undefined;
        return {
          kind: "declined",
          reason: error.message,
          code: raw?.decline_code ?? error.code ?? null,
          paymentIntentId: raw?.payment_intent?.id ?? null,
        };
      }
      return { kind: "error", message: error instanceof Error ? `${error.name}: ${error.message}` : "unknown error" };
    }
  };
}

/** The PaymentIntent id of a simulated top-up: one per attempt, like Stripe's idempotency key makes it. */
export const testPaymentIntentId = (id: string) => `pi_topuptest_${id.replaceAll("-", "")}`;

/** The event Stripe would send about a top-up's PaymentIntent: succeeded, or failed with a decline. */
export function testTopupEvent(attempt: ClaimedTopup, outcome: "succeed" | "decline") {
  const piId = testPaymentIntentId(attempt.id);
  const failed = outcome === "decline";
  return {
    // one event per attempt and outcome: a resend after a lost answer is a duplicate
    id: `evt_topuptest_${attempt.id.replaceAll("-", "")}`,
    object: "event",
    type: failed ? "payment_intent.payment_failed" : "payment_intent.succeeded",
    api_version: "2025-03-31.basil",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: topupIdempotencyKey(attempt.id) },
    data: {
      object: {
        id: piId,
        object: "payment_intent",
        amount: attempt.amount_minor,
        amount_received: failed ? 0 : attempt.amount_minor,
        currency: attempt.currency,
        customer: attempt.customer_id,
        payment_method: attempt.payment_method_id,
        status: failed ? "requires_payment_method" : "succeeded",
        metadata: topupMetadata(attempt),
        last_payment_error: failed
          ? {
              type: "card_error",
              code: "card_declined",
              decline_code: "generic_decline",
              message: "Your card was declined (test mode: “decline next top-up” was on).",
            }
          : null,
      },
    },
  };
}

/** Sends a signed Stripe event to our webhook; the default posts it to APP_URL like the local test checkout. */
export type OwnWebhook = (payload: string, signature: string) => Promise<void>;

const postToOwnWebhook: OwnWebhook = (payload, signature) =>
  postSignedToOwnWebhook(getEnv().APP_URL, "/api/stripe/webhook", payload, { "stripe-signature": signature });

/**
 * The local test checkout's charge (no Stripe): a test card is "charged" by
 * sending our webhook the signed event Stripe would send. A real card cannot
 * be charged without STRIPE_SECRET_KEY.
 */
export function testCharger(deliver: OwnWebhook = postToOwnWebhook): Charger {
  return async (attempt) => {
    if (!attempt.test_card) {
      return {
        kind: "declined",
        reason: "card payments with Stripe are not configured, so the saved card cannot be charged",
        code: "not_configured",
        paymentIntentId: null,
      };
    }
    const secret = getEnv().STRIPE_WEBHOOK_SECRET[0];
    if (!secret) return { kind: "error", message: "no STRIPE_WEBHOOK_SECRET to sign the test event with" };
    const payload = JSON.stringify(testTopupEvent(attempt, attempt.test_outcome ?? "succeed"));
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
    try {
      await deliver(payload, signature);
    } catch (error) {
      return {
        kind: "error",
        message: error instanceof SelfDeliveryError ? error.message : "our webhook could not be reached",
      };
    }
    return { kind: "created", paymentIntentId: testPaymentIntentId(attempt.id) };
  };
}
