/**
 * Paystack events `{event, data}` and the fields we read: transactions
 * (charge.success, and the verify API's `data`), refunds and disputes, in the
 * shapes Paystack documents.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * A transaction reference as Paystack allows it (letters, digits, `-`, `.`,
 * `=`, `_`), with no `..` and not starting with a dot: it goes into the verify
 * API's path, where `.` or `..` would name another endpoint.
 */
export const PAYSTACK_REFERENCE = /^[A-Za-z0-9=_-](?:[A-Za-z0-9=_-]|\.(?!\.)){0,99}$/;
const reference = z.string().trim().regex(PAYSTACK_REFERENCE, "is not a Paystack reference");

/** Paystack sends metadata as an object, a JSON string, or an empty string / 0. */
const metadata = z.unknown().transform((value): Record<string, unknown> => {
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
});

/** Amounts in subunits; refund events send them as text ("5000"). */
const subunits = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^\d{1,15}$/)
    .transform(Number),
]);

export const paystackTransactionSchema = z
  .object({
    id: z.union([z.number(), z.string()]).nullish(),
    reference,
    status: z.string().nullish(),
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Za-z]{3}$/),
    customer: z.object({ email: z.string().nullish() }).loose().nullish(),
    metadata,
  })
  .loose();
export type PaystackTransaction = z.infer<typeof paystackTransactionSchema>;

/** refund.pending / processing / processed / failed: the refund's own amount, the transaction's reference. */
export const paystackRefundSchema = z
  .object({
    status: z.string().nullish(),
    transaction_reference: reference,
    refund_reference: z.union([z.string().min(1).max(200), z.number()]).nullish(),
    amount: subunits,
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/)
      .nullish(),
  })
  .loose();

/** charge.dispute.create / remind / resolve: the dispute, with the disputed transaction nested. */
export const paystackDisputeSchema = z
  .object({
    id: z.union([z.number(), z.string().min(1).max(100)]),
    status: z.string().nullish(),
    resolution: z.string().nullish(),
    transaction: z.object({ reference: reference.nullish() }).loose().nullish(),
    transaction_reference: reference.nullish(),
  })
  .loose();

export const paystackEventSchema = z
  .object({ event: z.string().min(1).max(100), data: z.record(z.string(), z.unknown()) })
  .loose();
export type PaystackEvent = z.infer<typeof paystackEventSchema>;

export const keyText = (value: unknown): string | null =>
  typeof value === "number" && Number.isFinite(value)
    ? String(value)
    : typeof value === "string" && value.trim()
      ? value.trim()
      : null;

/**
 * Paystack has no event id: the event name plus the object's id (charges,
 * disputes), the refund's reference, or the transaction reference identifies a
 * delivery. A refund without a reference yet (pending, processing) is named by
 * its transaction and a digest of its data, so a redelivery is still a duplicate.
 * Types with none of these keys (customeridentification.*, invoice.*,
 * dedicatedaccount.*) are named by the digest alone: they are still recorded
 * (as ignored), never refused.
 */
export function paystackEventId(event: PaystackEvent): string {
  const d = event.data;
  const key = keyText(d.id) ?? keyText(d.refund_reference) ?? keyText(d.reference);
  if (key) return `${event.event}:${key}`.slice(0, 255);
  const digest = createHash("sha256").update(JSON.stringify(d)).digest("hex").slice(0, 32);
  const transaction = keyText(d.transaction_reference);
  return (transaction ? `${event.event}:${transaction}:${digest}` : `${event.event}:sha256:${digest}`).slice(0, 255);
}

/** Keys whose values let someone charge the card again or manage the subscription: never stored. */
const REUSABLE_SECRETS = new Set(["authorization_code", "email_token", "access_code"]);

/** A copy of a payload with every reusable secret, at any depth, replaced by "[redacted]". */
export function redactPaystackSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPaystackSecrets);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      REUSABLE_SECRETS.has(key) && inner != null ? "[redacted]" : redactPaystackSecrets(inner),
    ]),
  );
}
