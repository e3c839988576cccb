// TradingView alerts: the body's secret checked in constant time, stored once (lib/ingest); no trading.
import { webhookRoute } from "@/lib/ingest/webhook-route";
import { tradingViewProvider } from "@/lib/providers/tradingview";

export const dynamic = "force-dynamic";
export const POST = webhookRoute(tradingViewProvider);
