/**
 * Paystack deliveries signed as Paystack signs them (hex HMAC-SHA512 of the raw
 * body with the secret key), and a local stand-in for Paystack's
 * GET /transaction/verify/:reference (node:http on 127.0.0.1, random port).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { paystackSignature } from "@/lib/providers/paystack/verify";

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

export function paystackRequest(body: string | object, options: { secret?: string; header?: string | null } = {}): Request {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const header = options.header !== undefined ? options.header : paystackSignature(options.secret ?? PAYSTACK_SECRET, payload);
  const headers = new Headers({ "content-type": "application/json" });
  if (header !== null) headers.set("x-paystack-signature", header);
  return new Request("http://localhost/api/paystack/webhook", { method: "POST", headers, body: payload });
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
    if (request.headers.authorization !== `Bearer ${secret}`) return send(401, { status: false, message: "Invalid key" });
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
