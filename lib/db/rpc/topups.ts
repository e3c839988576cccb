/**
 * Typed calls of supabase/schemas/097_topups.sql: a user's automatic top-up
 * settings and saved card, and what the worker (lib/topups) does with the
 * attempts a debit records. Settling an attempt from its PaymentIntent webhook
 * runs inside webhook actions (lib/db/actions.ts).
 */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

export const TOPUP_STATUSES = ["pending", "charging", "processing", "succeeded", "failed"] as const;
export type TopupStatus = (typeof TOPUP_STATUSES)[number];

const settings = z.object({
  enabled: z.boolean(),
  package_id: z.string(),
  threshold: int,
  monthly_limit_minor: int,
  consecutive_failures: int,
  last_failure_at: timestamp.nullable(),
  last_failure_reason: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  test_decline_next: z.boolean(),
  currency: z.string(),
  package_name: z.string(),
  package_credits: int,
  package_amount_minor: int,
  month_spent_minor: int,
  month_count: int,
});

const card = z.object({
  brand: z.string().nullable(),
  last4: z.string().nullable(),
  test: z.boolean(),
  /** the payment method is known, so it can be charged */
  ready: z.boolean(),
  saved_at: timestamp,
});

export const topupAttempt = z.object({
  id: uuid,
  status: z.enum(TOPUP_STATUSES),
  package_id: z.string(),
  credits: int,
  amount_minor: int,
  currency: z.string(),
  balance_before: int,
  threshold: int,
  payment_intent_id: z.string().nullable(),
  failure_reason: z.string().nullable(),
  tries: int,
  created_at: timestamp,
  finished_at: timestamp.nullable(),
});
export type TopupAttempt = z.infer<typeof topupAttempt>;

export const topupStatus = z.object({
  settings: settings.nullable(),
  card: card.nullable(),
  attempts: z.array(topupAttempt),
});
export type TopupStatusView = z.infer<typeof topupStatus>;
export type SavedCard = z.infer<typeof card>;

/** Settings (null before the first save), card, this month's total and the latest attempts. */
export async function getTopupStatus(db: Database, userId: string, attempts = 10): Promise<TopupStatusView> {
  return topupStatus.parse(await db.rpc("get_topup_status", { p_user_id: userId, p_attempts: attempts }));
}

export interface TopupSettingsInput {
  enabled: boolean;
  packageId: string;
  threshold: number;
  monthlyLimitMinor: number;
}

/** Saves the form; bad input raises 22023 with a reason meant for the user (lib/db/errors.ts). */
export async function setTopupSettings(db: Database, userId: string, s: TopupSettingsInput): Promise<TopupStatusView> {
  return topupStatus.parse(
    await db.rpc("set_topup_settings", {
      p_user_id: userId,
      p_enabled: s.enabled,
      p_package_id: s.packageId,
      p_threshold: s.threshold,
      p_monthly_limit_minor: s.monthlyLimitMinor,
    }),
  );
}

/** Turns automatic top-up off (its settings kept); true when it was on. */
export async function turnOffTopup(db: Database, userId: string): Promise<boolean> {
  return z.boolean().parse(await db.rpc("turn_off_topup", { p_user_id: userId }));
}

/** The Stripe Customer of the user's saved real card (Checkout reuses it), or null. */
export async function savedStripeCustomer(db: Database, userId: string): Promise<string | null> {
  return z
    .string()
    .nullable()
    .parse(await db.rpc("get_saved_stripe_customer", { p_user_id: userId }));
}

/** Forgets the saved card and turns automatic top-up off; true when there was a card. */
export async function removeSavedCard(db: Database, userId: string): Promise<boolean> {
  return z.boolean().parse(await db.rpc("remove_saved_card", { p_user_id: userId }));
}

/** Test mode: the next simulated charge of the user's test card declines. False without a test card or settings. */
export async function setTopupTestDecline(db: Database, userId: string, decline: boolean): Promise<boolean> {
  return z.boolean().parse(await db.rpc("set_topup_test_decline", { p_user_id: userId, p_decline: decline }));
}

const claimedAttempt = z.object({
  id: uuid,
  user_id: uuid,
  package_id: z.string(),
  credits: int,
  amount_minor: int,
  currency: z.string(),
  tries: int,
  test_outcome: z.enum(["succeed", "decline"]).nullable(),
  email: z.string().nullable(),
  package_name: z.string(),
  customer_id: z.string().nullable(),
  payment_method_id: z.string().nullable(),
  test_card: z.boolean(),
  has_card: z.boolean(),
});
export type ClaimedTopup = z.infer<typeof claimedAttempt>;

/** Due attempts for this worker, each charging under a lease (skip locked: no two workers hold one). */
export async function claimTopupAttempts(db: Database, limit = 10, leaseSeconds = 60): Promise<ClaimedTopup[]> {
  return z
    .array(claimedAttempt)
    .parse(await db.rpc("claim_topup_attempts", { p_limit: limit, p_lease_seconds: leaseSeconds }));
}

/** The PaymentIntent exists; returns the attempt's status (processing, or what the webhook already made it). */
export async function topupChargeCreated(db: Database, id: string, paymentIntentId: string): Promise<string | null> {
  return z
    .string()
    .nullable()
    .parse(await db.rpc("topup_charge_created", { p_id: id, p_payment_intent_id: paymentIntentId }));
}

const failOutcome = z
  .object({
    outcome: z.enum(["failed", "duplicate", "unknown"]),
    failures: int.optional(),
    disabled: z.boolean().optional(),
  })
  .loose();

/** A decline (or authentication required) the worker saw: fails the attempt once, like the webhook would. */
export async function failTopupAttempt(
  db: Database,
  id: string,
  reason: string,
  code: string | null,
  paymentIntentId: string | null,
) {
  return failOutcome.parse(
    await db.rpc("fail_topup_attempt", {
      p_id: id,
      p_reason: reason,
      p_code: code,
      p_payment_intent_id: paymentIntentId,
    }),
  );
}

/** A charge that errored without a decline: retried later with the same idempotency key, failed after maxTries. */
export async function topupChargeErrored(db: Database, id: string, error: string, retrySeconds = 60, maxTries = 5) {
  return z
    .object({ outcome: z.string() })
    .loose()
    .parse(
      await db.rpc("topup_charge_errored", {
        p_id: id,
        p_error: error,
        p_retry_seconds: retrySeconds,
        p_max_tries: maxTries,
      }),
    );
}

const missing = z.array(z.object({ user_id: uuid, stripe_customer_id: z.string(), source_payment_intent: z.string() }));

/** Saved Stripe cards whose payment method or brand/last 4 are still to be read from Stripe. */
export async function topupCardsMissingDetails(db: Database, limit = 20) {
  return missing.parse(await db.rpc("topup_cards_missing_details", { p_limit: limit }, { returns: "rows" }));
}

export async function topupCardDetails(
  db: Database,
  a: {
    userId: string;
    paymentIntentId: string;
    paymentMethodId: string | null;
    brand: string | null;
    last4: string | null;
  },
): Promise<boolean> {
  return z.boolean().parse(
    await db.rpc("topup_card_details", {
      p_user_id: a.userId,
      p_payment_intent_id: a.paymentIntentId,
      p_payment_method_id: a.paymentMethodId,
      p_brand: a.brand,
      p_last4: a.last4,
    }),
  );
}
