/** x-paystack-signature: hex HMAC-SHA512 of the raw body keyed with PAYSTACK_SECRET_KEY (constant-time compare). */
import { createHmac } from "node:crypto";
import { WebhookRejection } from "@/lib/ingest/types";
import { safeEqual } from "@/lib/security/safe-equal";

export function paystackSignature(secret: string, payload: string | Buffer): string {
  return createHmac("sha512", secret).update(payload).digest("hex");
}

export function verifyPaystackSignature(rawBody: Buffer, header: string | null, secret: string | undefined): void {
  if (!header) throw new WebhookRejection(400, "missing x-paystack-signature header");
  if (!secret) throw new WebhookRejection(401, "webhook secret not configured");
  if (!safeEqual(header.trim().toLowerCase(), paystackSignature(secret, rawBody))) {
    throw new WebhookRejection(401, "invalid signature");
  }
}
