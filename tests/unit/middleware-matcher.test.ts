/** Which paths middleware.ts runs on, as Next itself evaluates the matcher. */
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { config } from "@/middleware";

const runsOn = (url: string) => unstable_doesMiddlewareMatch({ config, url });

describe("middleware matcher", () => {
  it.each([
    "/",
    "/wallet",
    "/wallet/buy",
    "/wallet/activity",
    "/wallet/activity.csv",
    "/purchases",
    "/settings",
    "/admin/events",
    "/admin/events/abc",
    "/login",
    "/checkout/test",
    "/api/checkout",
    "/settings/api-keys",
    "/settings/top-up",
    "/admin/users",
    "/admin/webhooks",
    "/admin/webhooks/deliveries/abc",
  ])("runs on %s (sessions, redirects)", (url) => expect(runsOn(url)).toBe(true));

  it.each([
    "/api/stripe/webhook",
    "/api/fireblocks/webhook",
    "/api/invoices/webhook",
    "/callback/update-invoice",
    "/api/paystack/webhook",
    "/api/tradingview/webhook",
    "/api/cron/webhooks",
    "/api/metrics",
    "/api/health",
    "/api/v1/spend",
    "/api/v1/balance",
    "/api/v1/openapi.json",
    "/_next/static/chunks/main.js",
  ])("skips %s (no session there; saves CPU per delivery)", (url) => expect(runsOn(url)).toBe(false));
});
