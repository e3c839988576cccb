/**
 * An invoice update becomes one call of webhook_action_invoice_update, which
 * owns the state machine (it needs the stored state, under a row lock):
 * legal forward moves apply, late older states are ignored, impossible ones
 * fail with the reason; Complete grants the invoice's package once.
 */
import { invoiceUpdateAction } from "@/lib/db/actions";
import { fail, type Plan } from "@/lib/ingest/types";
import { eventTime, invoiceEventId, invoiceEventSchema } from "./schema";

export function planInvoiceEvent(payload: unknown): Plan {
  const parsed = invoiceEventSchema.safeParse(payload);
  if (!parsed.success || parsed.data.event !== "invoice.updated")
    return fail("stored payload is not an invoice.updated event");
  const event = parsed.data;
  const { data } = event;
  return {
    ...invoiceUpdateAction({
      invoiceId: data.invoiceId,
      state: data.state,
      eventAt: eventTime(event.timestamp),
      cashAmount: data.cashAmount,
      cryptoAmount: data.cryptoAmount,
      reason: data.reason ?? null,
      receivedAmount: data.transaction?.receivedAmount ?? data.transaction?.amount ?? null,
      expectedAmount: data.transaction?.expectedAmount ?? data.cryptoAmount ?? null,
      eventId: invoiceEventId(event),
    }),
    externalId: data.invoiceId,
  };
}
