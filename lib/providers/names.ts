/**
 * The one list of provider names. Everything else is derived from it:
 * - the handler registry (lib/providers/index.ts, a `Record<ProviderName, …>`);
 * - the event log's filters, zod enums and Prometheus labels;
 * - labels and chart colours in the UI (below).
 * What cannot import it is checked against it by tests/unit/provider-registry.test.ts:
 * the SQL `check` constraints and `grant_credits_for_purchase`'s guard, the
 * route files under app/api/<name>/webhook, middleware.ts's matcher and the
 * security-header rule in next.config.ts.
 *
 * Adding a provider: a folder under lib/providers, its name here, its handler
 * in the registry, its route file, and its name in the SQL checks of supabase/schemas (npm run db:diff).
 */
export const PROVIDERS = ["stripe", "fireblocks", "invoices", "paystack", "tradingview"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Providers whose payments buy credits: `purchases.provider` and `grant_credits_for_purchase` accept these. */
export const PAYMENT_PROVIDERS = [
  "stripe",
  "fireblocks",
  "invoices",
  "paystack",
] as const satisfies readonly ProviderName[];
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** How a purchase was paid, as the buyer reads it. */
export const PAYMENT_METHOD_LABELS: Record<PaymentProviderName, string> = {
  stripe: "Card (Stripe)",
  fireblocks: "Crypto deposit",
  invoices: "Crypto invoice",
  paystack: "Paystack",
};

/** Series colours on the admin metrics charts. */
export const PROVIDER_COLORS: Record<ProviderName, string> = {
  stripe: "#6366f1",
  fireblocks: "#0ea5e9",
  invoices: "#f59e0b",
  paystack: "#14b8a6",
  tradingview: "#8b5cf6",
};

export const isProviderName = (value: string): value is ProviderName =>
  (PROVIDERS as readonly string[]).includes(value);

export const paymentMethodLabel = (provider: string): string =>
  (PAYMENT_METHOD_LABELS as Record<string, string | undefined>)[provider] ?? provider;

/** A chart colour for a provider name read from the database (grey for a name this build does not know). */
export const providerColor = (provider: string): string =>
  isProviderName(provider) ? PROVIDER_COLORS[provider] : "#64748b";
