/** The provider registry: adding a provider is a folder under lib/providers and one line here. */
import type { ProviderName } from "@/lib/db/rpc/webhook-events";
import type { WebhookProvider } from "@/lib/ingest/types";
import { fireblocksProvider } from "./fireblocks";
import { invoicesProvider } from "./invoices";
import { paystackProvider } from "./paystack";
import { stripeProvider } from "./stripe";
import { tradingViewProvider } from "./tradingview";

export const providers: Partial<Record<ProviderName, WebhookProvider>> = {
  stripe: stripeProvider,
  fireblocks: fireblocksProvider,
  invoices: invoicesProvider,
  paystack: paystackProvider,
  tradingview: tradingViewProvider,
};

export function providerFor(name: ProviderName): WebhookProvider | undefined {
  return providers[name];
}
