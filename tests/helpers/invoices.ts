/** Crypto invoice gateway deliveries, signed as the gateway signs them (X-Signature: t=…,v1=HMAC-SHA256 of "t.body"). */
import { invoiceSignatureHeader } from "@/lib/providers/invoices/verify";

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
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const header =
    options.header !== undefined
      ? options.header
      : invoiceSignatureHeader(options.secret ?? INVOICE_SECRET, payload, options.timestamp);
  const headers = new Headers({ "content-type": "application/json" });
  if (header !== null) headers.set("x-signature", header);
  return new Request(options.url ?? "http://localhost/api/invoices/webhook", {
    method: "POST",
    headers,
    body: payload,
  });
}
