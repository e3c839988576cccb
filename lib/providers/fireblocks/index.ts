/** Fireblocks deposits (app/api/fireblocks/webhook): either signature scheme, v1 or v2 bodies. */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { parseJsonBody } from "@/lib/providers/parse";
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
    const body = parseJsonBody(rawBody);
    const envelope = readEnvelope(body);
    if (!envelope) throw new WebhookRejection(400, "not a Fireblocks notification");
    return { id: fireblocksEventId(envelope, rawBody), type: envelope.type, payload: body };
  },
  plan: (payload) => planFireblocksEvent(payload),
};
