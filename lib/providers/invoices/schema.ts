/** The gateway's `invoice.updated` body: `{event, timestamp, data: {invoiceId, state, previousState, …}}`. */
import { z } from "zod";

export const INVOICE_STATES = ["Ready", "Pending", "Wait", "Complete", "Fail", "Cancel", "Reject"] as const;
export type InvoiceState = (typeof INVOICE_STATES)[number];

const amount = z
  .union([z.number(), z.string().max(100)])
  .nullish()
  .transform((v) => (v == null ? null : String(v)));

export const invoiceEventSchema = z
  .object({
    event: z.string(),
    timestamp: z.union([z.number(), z.string().max(64)]).nullish(),
    data: z
      .object({
        invoiceId: z.string().trim().min(1).max(200),
        customerId: z.union([z.string(), z.number()]).nullish(),
        customerName: z.string().nullish(),
        state: z.enum(INVOICE_STATES),
        previousState: z.string().nullish(),
        cashAmount: amount,
        cryptoAmount: amount,
        reason: z.string().max(500).nullish(),
        transaction: z.object({ amount, receivedAmount: amount, expectedAmount: amount }).loose().nullish(),
      })
      .loose(),
  })
  .loose();
export type InvoiceEvent = z.infer<typeof invoiceEventSchema>;

/** One event per invoice and state: the machine never returns to a state, so a redelivery is a duplicate. */
export const invoiceEventId = (event: InvoiceEvent) => `${event.data.invoiceId}:${event.data.state}`;

/** The event time as ISO text: unix seconds or milliseconds, or an ISO string; null when absent or unreadable. */
export function eventTime(timestamp: InvoiceEvent["timestamp"]): string | null {
  if (timestamp == null) return null;
  const n = typeof timestamp === "number" ? timestamp : /^\d+$/.test(timestamp) ? Number(timestamp) : NaN;
  const date = Number.isFinite(n) ? new Date(n < 1e12 ? n * 1000 : n) : new Date(String(timestamp));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
