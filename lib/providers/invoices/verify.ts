/**
 * X-Signature: `t=<unix s>,v1=<hex>[,v1=…]`, each v1 an HMAC-SHA256 of
 * `${t}.${rawBody}` keyed with INVOICE_WEBHOOK_SECRET; any v1 may match
 * (constant-time compare); refused when t is more than 300 s from now.
 */
import { createHmac } from "node:crypto";
import { WebhookRejection } from "@/lib/ingest/types";
import { safeEqual } from "@/lib/security/safe-equal";

export const INVOICE_TOLERANCE_SECONDS = 300;

export function invoiceSignature(secret: string, timestamp: number | string, payload: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(payload).digest("hex");
}

/** The header value the gateway would send for this body (also used by the local test gateway). */
export function invoiceSignatureHeader(
  secret: string,
  payload: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${invoiceSignature(secret, timestamp, payload)}`;
}

export function verifyInvoiceSignature(
  rawBody: Buffer,
  header: string | null,
  secret: string | undefined,
  now = Date.now(),
): void {
  if (!header) throw new WebhookRejection(400, "missing X-Signature header");
  if (!secret) throw new WebhookRejection(401, "webhook secret not configured");
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t") timestamp = value;
    else if (key === "v1" && value) signatures.push(value.toLowerCase());
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
    throw new WebhookRejection(400, "malformed X-Signature header");
  }
  const expected = invoiceSignature(secret, timestamp, rawBody);
  if (!signatures.some((signature) => safeEqual(signature, expected)))
    throw new WebhookRejection(401, "invalid signature");
  if (Math.abs(now / 1000 - Number(timestamp)) > INVOICE_TOLERANCE_SECONDS) {
    throw new WebhookRejection(401, "timestamp outside the tolerance zone");
  }
}
