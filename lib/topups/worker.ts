/**
 * The top-up worker: charges the attempts debits recorded (097_topups.sql).
 * Attempts are claimed with a lease (skip locked), so any number of app
 * instances may run it at once and none holds an attempt another holds; an
 * attempt whose worker died is claimed again after its lease and charged with
 * the same Stripe idempotency key, so Stripe still makes one PaymentIntent.
 * It also reads the brand and last 4 of newly saved cards from Stripe. Runs on
 * a timer in every server process (instrumentation-node.ts) and in the cron
 * sweep (lib/ops/sweep.ts).
 */
import type Stripe from "stripe";
import { getStripe } from "@/lib/checkout/stripe-client";
import { getDb, type Database } from "@/lib/db";
import {
  claimTopupAttempts,
  failTopupAttempt,
  topupCardDetails,
  topupCardsMissingDetails,
  topupChargeCreated,
  topupChargeErrored,
} from "@/lib/db/rpc/topups";
import { getEnv } from "@/lib/env";
import { errorField, getLogger } from "@/lib/logger";
import { deliverOutboxSoon } from "@/lib/mail";
import { stripeCharger, testCharger, type Charger } from "./charge";

export interface TopupRunResult {
  charged: number;
  declined: number;
  retrying: number;
  cards: number;
}

/** Lease of a claimed attempt: longer than a charge takes (Stripe answers within seconds). */
const LEASE_SECONDS = 120;

/** Reads the payment method, brand and last 4 of saved cards from the payment that saved them. */
export async function completeSavedCards(db: Database, stripe: Stripe): Promise<number> {
  let done = 0;
  for (const card of await topupCardsMissingDetails(db)) {
    try {
      const pi = await stripe.paymentIntents.retrieve(card.source_payment_intent, { expand: ["payment_method"] });
      const method = pi.payment_method;
      const pm = typeof method === "string" ? { id: method, card: undefined } : method;
      if (!pm) continue;
      await topupCardDetails(db, {
        userId: card.user_id,
        paymentIntentId: card.source_payment_intent,
        paymentMethodId: pm.id,
        brand: pm.card?.brand ?? null,
        last4: pm.card?.last4 ?? null,
      });
      done += 1;
    } catch (error) {
      getLogger().warn({ error: errorField(error) }, "could not read a saved card's details from Stripe");
    }
  }
  return done;
}

/** Claims and charges every due attempt once; returns what happened. */
export async function runTopupWorker(
  db: Database,
  charge: Charger,
  options: { stripe?: Stripe; batch?: number } = {},
): Promise<TopupRunResult> {
  const result: TopupRunResult = { charged: 0, declined: 0, retrying: 0, cards: 0 };
  if (options.stripe) result.cards = await completeSavedCards(db, options.stripe);
  for (;;) {
    const claimed = await claimTopupAttempts(db, options.batch ?? 10, LEASE_SECONDS);
    if (claimed.length === 0) break;
    for (const attempt of claimed) {
      if (!attempt.has_card) {
        await failTopupAttempt(db, attempt.id, "no card is saved any more", "no_card", null);
        result.declined += 1;
        continue;
      }
      const outcome = await charge(attempt);
      if (outcome.kind === "created") {
        await topupChargeCreated(db, attempt.id, outcome.paymentIntentId);
        result.charged += 1;
      } else if (outcome.kind === "declined") {
        await failTopupAttempt(db, attempt.id, outcome.reason, outcome.code, outcome.paymentIntentId);
        result.declined += 1;
      } else {
        getLogger().warn({ topup: attempt.id, tries: attempt.tries, error: outcome.message }, "top-up charge errored");
        await topupChargeErrored(db, attempt.id, outcome.message);
        result.retrying += 1;
      }
    }
  }
  // a failure mails the user (written with the failure, by the worker or by the webhook it just called)
  if (result.charged + result.declined > 0) void deliverOutboxSoon();
  return result;
}

/** The charger this configuration uses: Stripe with a key, the simulated one with the local test checkout, else none. */
export function configuredCharger(): { charge: Charger; stripe?: Stripe } | null {
  const env = getEnv();
  if (env.STRIPE_SECRET_KEY) {
    const stripe = getStripe();
    return { charge: stripeCharger(stripe), stripe };
  }
  if (env.localCheckout) return { charge: testCharger() };
  return null;
}

let running: Promise<TopupRunResult | null> | undefined;

/** One run of the worker in this process at a time (the database keeps runs of several processes apart). */
export function runTopupsSoon(db: Database = getDb()): Promise<TopupRunResult | null> {
  const charger = configuredCharger();
  if (!charger) return Promise.resolve(null);
  running ??= runTopupWorker(db, charger.charge, { stripe: charger.stripe }).finally(() => {
    running = undefined;
  });
  return running;
}

const holder = globalThis as typeof globalThis & { __creditsTopupTimer?: NodeJS.Timeout };

/** Charges due top-ups every intervalMs in this server process (instrumentation-node.ts); once per process. */
export function startTopupTimer(intervalMs = 5_000): void {
  if (holder.__creditsTopupTimer || !configuredCharger()) return;
  holder.__creditsTopupTimer = setInterval(() => {
    runTopupsSoon().catch((error: unknown) => getLogger().error({ error: errorField(error) }, "top-up run failed"));
  }, intervalMs);
  holder.__creditsTopupTimer.unref();
}

export function stopTopupTimer(): void {
  clearInterval(holder.__creditsTopupTimer);
  holder.__creditsTopupTimer = undefined;
}
