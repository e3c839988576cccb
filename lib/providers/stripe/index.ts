/** Stripe: the one canonical webhook provider for card payments (app/api/stripe/webhook). */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { planParsedStripeEvent, planStripeEvent } from "./handle";
import { stripeEventSchema } from "./schema";
import { verifyStripeSignature } from "./verify";

export const stripeProvider: WebhookProvider = {
  name: "stripe",
  verify(rawBody, headers) {
    const event = verifyStripeSignature(rawBody, headers.get("stripe-signature"), getEnv().STRIPE_WEBHOOK_SECRET);
    const parsed = stripeEventSchema.safeParse(event);
    if (!parsed.success) throw new WebhookRejection(400, "malformed Stripe event");
    // the envelope is parsed once: planning reuses it (a retry re-plans the stored payload)
    return { id: parsed.data.id, type: parsed.data.type, payload: event, plan: planParsedStripeEvent(parsed.data) };
  },
  plan: (payload) => planStripeEvent(payload),
};
