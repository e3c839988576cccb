/**
 * Stripe-Signature: `t=<unix s>,v1=<hex>[,v1=…]` over `${t}.${rawBody}`,
 * checked by the stripe package (constant time, any v1 may match) with a
 * 300 s tolerance. STRIPE_WEBHOOK_SECRET may list several secrets during a
 * rotation: any of them may match.
 */
import Stripe from "stripe";
import { WebhookRejection } from "@/lib/ingest/types";

export const STRIPE_TOLERANCE_SECONDS = 300;

export function verifyStripeSignature(rawBody: Buffer, header: string | null, secrets: string[]): unknown {
  if (!header) throw new WebhookRejection(400, "missing Stripe-Signature header");
  if (secrets.length === 0) throw new WebhookRejection(401, "webhook secret not configured");
  let stale = false;
  for (const secret of secrets) {
    try {
      return Stripe.webhooks.constructEvent(rawBody, header, secret, STRIPE_TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof SyntaxError) throw new WebhookRejection(400, "malformed JSON body");
      const message = (error as Error).message ?? "";
      if (/Unable to extract timestamp and signatures/i.test(message)) {
        throw new WebhookRejection(400, "malformed Stripe-Signature header");
      }
      if (/tolerance/i.test(message)) stale = true;
    }
  }
  throw new WebhookRejection(401, stale ? "timestamp outside the tolerance zone" : "invalid signature");
}
