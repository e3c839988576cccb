/**
 * The provider registry: every name of lib/providers/names.ts has its handler
 * here (a `Record`, so a name without one does not compile). Adding a provider
 * is a folder under lib/providers, its name in names.ts and one line here,
 * plus its route file and migration (names.ts says what is checked).
 */
import type { ProviderName } from "./names";
import type { WebhookProvider } from "@/lib/ingest/types";
import { fireblocksProvider } from "./fireblocks";
import { invoicesProvider } from "./invoices";
import { paystackProvider } from "./paystack";
import { stripeProvider } from "./stripe";
import { tradingViewProvider } from "./tradingview";

export const providers: Record<ProviderName, WebhookProvider> = {
  stripe: stripeProvider,
  fireblocks: fireblocksProvider,
  invoices: invoicesProvider,
  paystack: paystackProvider,
  tradingview: tradingViewProvider,
};
