/** Crypto invoice gateway deliveries, signed as the gateway signs them (X-Signature: t=…,v1=HMAC-SHA256 of "t.body"). */
import { invoiceSignatureHeader } from "@/lib/providers/invoices/verify";
import { payloadOf, webhookRequest, signatureOr } from "./webhook-request";

export const INVOICE_SECRET = "invoice_test_secret_0123456789";

export function invoiceEvent(
  invoiceId: string,
  state: string,
  data: Record<string, unknown> = {},
  event = "invoice.updated",
) {
  return {
    event,
    timestamp: Math.floor(Date.now() / 1000),
    data: {
      invoiceId,
      customerId: "cust_1",
      customerName: "Test Buyer",
      state,
      previousState: null,
      cashAmount: "5.00",
      cryptoAmount: "5.000000",
      reason: null,
      transaction: null,
      ...data,
    },
  };
}

export function invoiceRequest(
  body: string | object,
  options: { secret?: string; timestamp?: number; header?: string | null; url?: string } = {},
): Request {
  const payload = payloadOf(body);
  const header = signatureOr(options.header, () =>
    invoiceSignatureHeader(options.secret ?? INVOICE_SECRET, payload, options.timestamp),
  );
  return webhookRequest("invoices", payload, { "x-signature": header }, options.url);
}
