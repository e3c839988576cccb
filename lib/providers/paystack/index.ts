/** Paystack (app/api/paystack/webhook and the browser's return at app/api/paystack/callback). */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { parseJsonBody } from "@/lib/providers/parse";
import { planPaystackEvent } from "./handle";
import { paystackEventId, paystackEventSchema, redactPaystackSecrets } from "./schema";
import { verifyPaystackSignature } from "./verify";

export const paystackProvider: WebhookProvider = {
  name: "paystack",
  verify(rawBody, headers) {
    verifyPaystackSignature(rawBody, headers.get("x-paystack-signature"), getEnv().PAYSTACK_SECRET_KEY);
    // the stored payload keeps no card token or other reusable secret (the plan needs none)
    const body = redactPaystackSecrets(parseJsonBody(rawBody));
    const parsed = paystackEventSchema.safeParse(body);
    if (!parsed.success) throw new WebhookRejection(400, "not a Paystack event");
    return { id: paystackEventId(parsed.data), type: parsed.data.event, payload: body };
  },
  plan: (payload) => planPaystackEvent(payload),
};
