/** Paystack (app/api/paystack/webhook and the browser's return at app/api/paystack/callback). */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { planPaystackEvent } from "./handle";
import { paystackEventId, paystackEventSchema, redactPaystackSecrets } from "./schema";
import { verifyPaystackSignature } from "./verify";

export const paystackProvider: WebhookProvider = {
  name: "paystack",
  verify(rawBody, headers) {
    verifyPaystackSignature(rawBody, headers.get("x-paystack-signature"), getEnv().PAYSTACK_SECRET_KEY);
    let body: unknown;
    try {
      // the stored payload keeps no card token or other reusable secret (the plan needs none)
      body = redactPaystackSecrets(JSON.parse(rawBody.toString("utf8")));
    } catch {
      throw new WebhookRejection(400, "malformed JSON body");
    }
    const parsed = paystackEventSchema.safeParse(body);
    const id = parsed.success ? paystackEventId(parsed.data) : null;
    if (!parsed.success || !id) throw new WebhookRejection(400, "not a Paystack event");
    return { id, type: parsed.data.event, payload: body };
  },
  plan: (payload) => planPaystackEvent(payload),
};
