/**
 * The local test gateway (no INVOICE_WEBHOOK_SECRET configured): no money
 * moves. Its buttons send our own webhook real `invoice.updated` events, signed
 * with the generated secret exactly as the gateway signs them, over HTTP to
 * APP_URL, so credits arrive through the path real payments take. Never to an
 * origin built from the request's Host / X-Forwarded-Host / -Proto, and
 * without following redirects: either would let a caller send signed events
 * (and our server's requests) wherever they like.
 */
import { randomBytes } from "node:crypto";
import { getEnv } from "@/lib/env";
import { postSignedToOwnWebhook, SelfDeliveryError } from "@/lib/http/post-signed";
import type { CryptoInvoice } from "@/lib/db/rpc/providers";
import type { InvoiceState } from "./schema";
import { invoiceSignatureHeader } from "./verify";

export type TestGatewayStep = "pending" | "complete" | "fail" | "cancel";

/** The states the gateway would report, in order, to take an invoice from `from` to the step's end state. */
export function statesFor(from: string, step: TestGatewayStep): InvoiceState[] {
  const open = from === "Ready" || from === "Wait";
  switch (step) {
    case "pending":
      return open ? ["Pending"] : [];
    case "complete":
      return open ? ["Pending", "Complete"] : from === "Pending" ? ["Complete"] : [];
    case "fail":
      return open ? ["Pending", "Fail"] : from === "Pending" ? ["Fail"] : [];
    case "cancel":
      return from === "Ready" ? ["Cancel"] : [];
  }
}

export function testInvoiceEvent(invoice: CryptoInvoice, state: InvoiceState, previousState: string) {
  const expected = invoice.expected_amount ?? "0.00 USD";
  const [amount, asset = "USD"] = expected.split(" ");
  const received = state === "Fail" ? (Number(amount) * 0.9).toFixed(2) : amount;
  return {
    event: "invoice.updated",
    timestamp: Math.floor(Date.now() / 1000),
    data: {
      invoiceId: invoice.invoice_id,
      customerId: invoice.user_id,
      customerName: "Test gateway buyer",
      state,
      previousState,
      cashAmount: amount,
      cryptoAmount: `${amount} ${asset === "USD" ? "USDC" : asset}`,
      reason: state === "Fail" ? "amount_mismatch" : null,
      transaction:
        state === "Pending" || state === "Complete" || state === "Fail"
          ? {
              hash: `0xtest${randomBytes(16).toString("hex")}`,
              amount: received,
              expectedAmount: amount,
              network: "test",
            }
          : null,
    },
  };
}

/** Posts each state's signed event to APP_URL's webhook, in order; throws unless every one was accepted. */
export async function emitTestInvoiceEvents(invoice: CryptoInvoice, states: InvoiceState[]): Promise<void> {
  const { APP_URL: origin, INVOICE_WEBHOOK_SECRET: secret } = getEnv();
  if (!secret) throw new SelfDeliveryError("no invoice webhook secret to sign with");
  let previous = invoice.state as string;
  for (const state of states) {
    const payload = JSON.stringify(testInvoiceEvent(invoice, state, previous));
    await postSignedToOwnWebhook(origin, "/api/invoices/webhook", payload, {
      "x-signature": invoiceSignatureHeader(secret, payload),
    });
    previous = state;
  }
}
