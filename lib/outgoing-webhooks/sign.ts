/**
 * Standard Webhooks signing, with the `standardwebhooks` package (the
 * specification's reference implementation): `v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` keyed with the base64-decoded secret. During a
 * rotation every current secret signs, space separated, so a receiver holding
 * either one verifies.
 */
import { Webhook } from "standardwebhooks";

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export function signDelivery(webhookId: string, body: string, secrets: readonly string[], at: Date): SignedHeaders {
  const seconds = Math.floor(at.getTime() / 1000);
  const timestamp = new Date(seconds * 1000);
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(seconds),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body)).join(" "),
  };
}
