/** Fireblocks deposits (app/api/fireblocks/webhook): either signature scheme, v1 or v2 bodies. */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { planFireblocksEvent } from "./handle";
import { fireblocksEventId, readEnvelope } from "./schema";
import { verifyFireblocksSignature } from "./verify";

export const fireblocksProvider: WebhookProvider = {
  name: "fireblocks",
  async verify(rawBody, headers) {
    const env = getEnv();
    await verifyFireblocksSignature(rawBody, headers, {
      publicKeyPem: env.FIREBLOCKS_WEBHOOK_PUBLIC_KEY,
      jwksUrl: env.FIREBLOCKS_JWKS_URL,
    });
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      throw new WebhookRejection(400, "malformed JSON body");
    }
    const envelope = readEnvelope(body);
    if (!envelope) throw new WebhookRejection(400, "not a Fireblocks notification");
    return { id: fireblocksEventId(envelope, rawBody), type: envelope.type, payload: body };
  },
  plan: (payload) => planFireblocksEvent(payload),
};
