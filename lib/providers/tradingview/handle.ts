/** A verified TradingView alert becomes one stored trading_alerts row. No trade is ever executed. */
import { tradingAlertAction } from "@/lib/db/actions";
import { fail, type Plan } from "@/lib/ingest/types";
import { tradingViewPayloadSchema } from "./schema";

const text = (value: unknown): string | null =>
  typeof value === "string" ? value.slice(0, 2000) : typeof value === "number" ? String(value) : null;

function firstText(alert: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const value = text(alert[key]);
    if (value) return value;
  }
  return null;
}

export function planTradingViewAlert(payload: unknown): Plan {
  const parsed = tradingViewPayloadSchema.safeParse(payload);
  if (!parsed.success) return fail("stored payload is not a TradingView alert");
  const { id, alert } = parsed.data;
  const strategy =
    alert.strategy && typeof alert.strategy === "object" ? (alert.strategy as Record<string, unknown>) : {};
  return tradingAlertAction({
    eventId: id,
    ticker: firstText(alert, ["ticker", "symbol"]),
    side: firstText(alert, ["action", "side", "order_action"]) ?? text(strategy.order_action),
    message: firstText(alert, ["message", "comment", "text"]) ?? parsed.data.text ?? null,
    payload,
  });
}
