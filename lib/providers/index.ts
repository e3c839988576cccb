/** The provider registry: adding a provider is a folder under lib/providers and one line here. */
import type { ProviderName } from "@/lib/db/rpc/webhook-events";
import type { WebhookProvider } from "@/lib/ingest/types";
import { stripeProvider } from "./stripe";

export const providers: Partial<Record<ProviderName, WebhookProvider>> = {
  stripe: stripeProvider,
};

export function providerFor(name: ProviderName): WebhookProvider | undefined {
  return providers[name];
}
