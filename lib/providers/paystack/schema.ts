/** Paystack events `{event, data}` and the transaction fields we read (also the verify API's `data`). */
import { z } from "zod";

/** Paystack sends metadata as an object, a JSON string, or an empty string / 0. */
const metadata = z
  .unknown()
  .transform((value): Record<string, unknown> => {
    if (typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        return {};
      }
    }
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  });

export const paystackTransactionSchema = z
  .object({
    id: z.union([z.number(), z.string()]).nullish(),
    reference: z.string().trim().min(1).max(200),
    status: z.string().nullish(),
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Za-z]{3}$/),
    customer: z.object({ email: z.string().nullish() }).loose().nullish(),
    metadata,
  })
  .loose();
export type PaystackTransaction = z.infer<typeof paystackTransactionSchema>;

export const paystackEventSchema = z
  .object({ event: z.string().min(1).max(100), data: z.object({ id: z.union([z.number(), z.string()]).nullish(), reference: z.string().nullish() }).loose() })
  .loose();
export type PaystackEvent = z.infer<typeof paystackEventSchema>;

/** Paystack has no event id: the event name plus the object's id (else its reference) identifies a delivery. */
export function paystackEventId(event: PaystackEvent): string | null {
  const key = event.data.id ?? event.data.reference;
  return key === null || key === undefined || key === "" ? null : `${event.event}:${key}`.slice(0, 255);
}
