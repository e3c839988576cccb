/**
 * Paystack deliveries signed as Paystack signs them (hex HMAC-SHA512 of the raw
 * body with the secret key), and a local stand-in for Paystack's
 * GET /transaction/verify/:reference (node:http on 127.0.0.1, random port).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { paystackSignature } from "@/lib/providers/paystack/verify";
import { payloadOf, webhookRequest, signatureOr } from "./webhook-request";

export const PAYSTACK_SECRET = "sk_test_paystack_0123456789abcdef";

export const reference = () => `ref_${randomBytes(8).toString("hex")}`;

export function paystackTransaction(overrides: Record<string, unknown> = {}) {
  return {
    id: Math.floor(Math.random() * 1e12),
    domain: "test",
    status: "success",
    reference: reference(),
    amount: 500,
    currency: "USD",
    channel: "card",
    paid_at: new Date().toISOString(),
    customer: { id: 1, email: "buyer@example.com", customer_code: "CUS_1" },
    metadata: { package_id: "starter" },
    ...overrides,
  };
}

export const chargeSuccess = (data: Record<string, unknown>) => ({ event: "charge.success", data });

export function paystackRequest(
  body: string | object,
  options: { secret?: string; header?: string | null } = {},
): Request {
  const payload = payloadOf(body);
  const header = signatureOr(options.header, () => paystackSignature(options.secret ?? PAYSTACK_SECRET, payload));
  return webhookRequest("paystack", payload, { "x-paystack-signature": header });
}

export interface VerifyApi {
  base: string;
  /** What GET /transaction/verify/:reference answers for this reference (else 404 "Transaction reference not found"). */
  set(tx: { reference: string } & Record<string, unknown>): void;
  requests: () => number;
  close(): Promise<void>;
}

export async function startVerifyApi(secret = PAYSTACK_SECRET): Promise<VerifyApi> {
  const transactions = new Map<string, Record<string, unknown>>();
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    const match = /^\/transaction\/verify\/([^/?]+)$/.exec(request.url ?? "");
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (request.headers.authorization !== `Bearer ${secret}`)
      return send(401, { status: false, message: "Invalid key" });
    const tx = match ? transactions.get(decodeURIComponent(match[1])) : undefined;
    if (!tx) return send(400, { status: false, message: "Transaction reference not found" });
    // a little latency, so callbacks and webhooks really overlap
    setTimeout(() => send(200, { status: true, message: "Verification successful", data: tx }), 5);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    set: (tx) => void transactions.set(tx.reference, tx),
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A card authorization as Paystack sends it in charge.success: authorization_code charges the card again. */
export const cardAuthorization = () => ({
  authorization_code: `AUTH_${randomBytes(5).toString("hex")}`,
  bin: "408408",
  last4: "4081",
  exp_month: "12",
  exp_year: "2030",
  channel: "card",
  card_type: "visa ",
  bank: "TEST BANK",
  country_code: "NG",
  brand: "visa",
  reusable: true,
  signature: `SIG_${randomBytes(10).toString("hex")}`,
  account_name: null,
});

/** refund.processed as Paystack documents it: no id, the refund's own amount (often a string), the transaction's reference. */
export function refundProcessed(
  transactionReference: string,
  amount: number | string,
  overrides: Record<string, unknown> = {},
) {
  return {
    event: "refund.processed",
    data: {
      status: "processed",
      transaction_reference: transactionReference,
      refund_reference: String(Math.floor(Math.random() * 1e12)),
      amount,
      currency: "USD",
      processor: "mpgs_zen",
      customer: { first_name: "Ada", last_name: "Buyer", email: "buyer@example.com" },
      integration: 412829,
      domain: "test",
      ...overrides,
    },
  };
}

/** charge.dispute.create / charge.dispute.resolve: the dispute's id, status and resolution; the transaction nested. */
export function dispute(
  event: "charge.dispute.create" | "charge.dispute.resolve" | "charge.dispute.remind",
  tx: { reference: string; amount: number; currency?: string },
  overrides: Record<string, unknown> = {},
) {
  return {
    event,
    data: {
      id: 358950,
      refund_amount: tx.amount,
      currency: tx.currency ?? "USD",
      status: event === "charge.dispute.resolve" ? "resolved" : "awaiting-merchant-feedback",
      resolution: null,
      domain: "test",
      transaction: {
        id: 896467688,
        domain: "test",
        status: "success",
        reference: tx.reference,
        amount: tx.amount,
        currency: tx.currency ?? "USD",
        metadata: "",
        authorization: {},
      },
      transaction_reference: null,
      category: "chargeback",
      customer: { id: 5406463, email: "buyer@example.com", customer_code: "CUS_6wbxh6689vt0n7s" },
      bin: "123456",
      last4: "1234",
      ...overrides,
    },
  };
}
