/**
 * The parts of Stripe objects we read, for every API version we may receive:
 * accounts are pinned to versions from 2020 to today, so fields are read from
 * both their old and new locations. Unknown fields pass through untouched.
 */
import { z } from "zod";

const id = z.string().min(1).max(255);
/** An id, or the expanded object carrying it. */
const ref = z
  .union([id, z.object({ id }).loose()])
  .nullish()
  .transform((v) => (v == null ? null : typeof v === "string" ? v : v.id));
const metadata = z
  .record(z.string(), z.string().nullish())
  .nullish()
  .transform((m) => m ?? {});
const money = z.number().int().nonnegative();

export const stripeEventSchema = z
  .object({
    id: z
      .string()
      .regex(/^evt_[A-Za-z0-9_]+$/, "not a Stripe event id")
      .max(255),
    object: z.literal("event").optional(),
    type: z.string().min(1).max(200),
    created: z.number().int(),
    api_version: z.string().nullish(),
    data: z.object({ object: z.object({ id: z.string().optional(), object: z.string().optional() }).loose() }).loose(),
  })
  .loose();
export type StripeEvent = z.infer<typeof stripeEventSchema>;

export const checkoutSessionSchema = z
  .object({
    id,
    mode: z.string().nullish(),
    payment_status: z.string(),
    payment_intent: ref,
    client_reference_id: z.string().nullish(),
    customer_email: z.string().nullish(),
    customer_details: z.object({ email: z.string().nullish() }).loose().nullish(),
    metadata,
    amount_total: money.nullish(),
    currency: z.string().nullish(),
    /** The Customer (with "Save this card for automatic top-ups"). */
    customer: ref,
  })
  .loose();

export const paymentIntentSchema = z
  .object({
    id,
    amount: money,
    amount_received: money.nullish(),
    currency: z.string(),
    receipt_email: z.string().nullish(),
    metadata,
    last_payment_error: z
      .object({ message: z.string().nullish(), code: z.string().nullish(), decline_code: z.string().nullish() })
      .loose()
      .nullish(),
    customer: ref,
    payment_method: ref,
  })
  .loose();

export const chargeSchema = z
  .object({
    id,
    amount: money,
    amount_refunded: money,
    payment_intent: ref,
    /** Before API 2025-03-31: the invoice a subscription charge paid. */
    invoice: ref,
    billing_details: z.object({ email: z.string().nullish() }).loose().nullish(),
  })
  .loose();

export const disputeSchema = z.object({ id, status: z.string(), payment_intent: ref, charge: ref }).loose();

const subscriptionDetails = z.object({ subscription: ref, metadata }).loose().nullish();

/** A Price: `price` before API 2025-03-31 (also the older `plan`), `pricing.price_details.price` from it. */
const priced = {
  price: ref,
  plan: ref,
  pricing: z
    .object({ price_details: z.object({ price: ref }).loose().nullish() })
    .loose()
    .nullish(),
};

const invoiceLine = z
  .object({
    ...priced,
    /** Minor units, negative for a credit (the unused time of the plan left, in a proration). */
    amount: z.number().int().nullish(),
    /** Before 2022-08-01 the subscription's metadata is only on its lines. */
    metadata,
    period: z.object({ start: z.number().int().nullish(), end: z.number().int().nullish() }).loose().nullish(),
  })
  .loose();

export const invoiceSchema = z
  .object({
    id,
    /** Before API 2025-03-31. */
    subscription: ref,
    /** 2022-08-01 to 2025-03-31. */
    subscription_details: subscriptionDetails,
    /** From API 2025-03-31. */
    parent: z.object({ subscription_details: subscriptionDetails }).loose().nullish(),
    customer: ref,
    customer_email: z.string().nullish(),
    /** subscription_create / subscription_cycle (a period), subscription_update (a proration), manual, … */
    billing_reason: z.string().nullish(),
    amount_paid: money,
    currency: z.string(),
    metadata,
    /** Before API 2025-03-31: the payment that paid it (from then on: invoice_payment.paid). */
    payment_intent: ref,
    charge: ref,
    attempt_count: z.number().int().nullish(),
    next_payment_attempt: z.number().int().nullish(),
    lines: z
      .object({ data: z.array(invoiceLine) })
      .loose()
      .nullish(),
  })
  .loose();

/** invoice_payment.paid (API 2025-03-31 and later): which payment paid which invoice. */
export const invoicePaymentSchema = z
  .object({
    id,
    invoice: ref,
    payment: z.object({ type: z.string().nullish(), payment_intent: ref, charge: ref }).loose().nullish(),
  })
  .loose();

export const subscriptionSchema = z
  .object({
    id,
    status: z.string(),
    customer: ref,
    metadata,
    cancel_at_period_end: z.boolean().nullish(),
    /** Before API 2025-03-31. */
    current_period_end: z.number().int().nullish(),
    /** From API 2025-03-31 the period lives on each item. */
    items: z
      .object({ data: z.array(z.object({ ...priced, current_period_end: z.number().int().nullish() }).loose()) })
      .loose()
      .nullish(),
  })
  .loose();
