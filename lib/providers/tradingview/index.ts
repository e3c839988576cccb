/** TradingView alerts (app/api/tradingview/webhook): stored and shown, never traded on. */
import { getEnv } from "@/lib/env";
import type { WebhookProvider } from "@/lib/ingest/types";
import { planTradingViewAlert } from "./handle";
import { verifyTradingViewAlert } from "./verify";

export const tradingViewProvider: WebhookProvider = {
  name: "tradingview",
  verify(rawBody) {
    const payload = verifyTradingViewAlert(rawBody, getEnv().TRADINGVIEW_WEBHOOK_SECRET);
    return { id: payload.id, type: "alert", payload };
  },
  plan: (payload) => planTradingViewAlert(payload),
};
