/**
 * POST /api/tradingview/webhook through the real route, on PGlite and the
 * server: JSON and plain-text alerts, the body's secret, no secret stored.
 */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/tradingview/webhook/route";
import { listWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { uid } from "../helpers/stripe";
import { payloadOf, webhookRequest } from "../helpers/webhook-request";

const SECRET = "tv-secret-0123456789";

describe.each(targets)("TradingView webhook on %s", (target) => {
  const t = useRouteSuite(target, () => ({ TRADINGVIEW_WEBHOOK_SECRET: SECRET }));
  const { count } = t;

  const send = (
    body: string | object,
    contentType = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
  ) => POST(webhookRequest("tradingview", payloadOf(body), { "content-type": contentType }));
  const alertRow = async (nonce: string) =>
    (
      await t.db.query<{
        event_id: string;
        ticker: string | null;
        action: string | null;
        message: string | null;
        payload: unknown;
      }>("select event_id, ticker, action, message, payload from trading_alerts where payload::text like $1", [
        `%${nonce}%`,
      ])
    )[0];
  const businessRows = async () => ({ alerts: await count("trading_alerts"), events: await count("webhook_events") });

  it("stores a JSON alert in trading_alerts and the event log, without its secret", async () => {
    const nonce = uid("bar");
    const res = await send({
      secret: SECRET,
      ticker: "BTCUSD",
      action: "buy",
      price: 64000.5,
      message: `breakout ${nonce}`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, duplicate: false, status: "processed" });
    const row = await alertRow(nonce);
    expect(row).toMatchObject({ ticker: "BTCUSD", action: "buy", message: `breakout ${nonce}` });
    expect(row.event_id).toMatch(/^tv_[0-9a-f]{64}$/);
    const event = await t.db.query<{ payload: unknown; outcome: string }>(
      "select payload, outcome from webhook_events where provider = 'tradingview' and event_id = $1",
      [row.event_id],
    );
    expect(event[0].outcome).toBe("stored alert: buy BTCUSD (no trade executed)");
    expect(JSON.stringify(event[0].payload)).not.toContain(SECRET);
    expect(JSON.stringify(row.payload)).not.toContain(SECRET);
  });

  it("stores a plain-text alert, reading key=value lines and dropping the secret line", async () => {
    const nonce = uid("txt");
    const res = await send(`secret=${SECRET}\nticker=ETHUSD\naction: sell\nRSI crossed 70 ${nonce}`);
    expect(res.status).toBe(200);
    const row = await alertRow(nonce);
    expect(row).toMatchObject({ ticker: "ETHUSD", action: "sell" });
    expect(row.message).toBe(`ticker=ETHUSD\naction: sell\nRSI crossed 70 ${nonce}`);
    expect(JSON.stringify(row.payload)).not.toContain(SECRET);
  });

  it("reads TradingView strategy placeholders ({{strategy.order.action}}) sent as JSON", async () => {
    const nonce = uid("strat");
    await send({ secret: SECRET, symbol: "SPY", strategy: { order_action: "sell", position_size: 0 }, comment: nonce });
    expect(await alertRow(nonce)).toMatchObject({ ticker: "SPY", action: "sell", message: nonce });
  });

  it("stores an alert once when the same body is delivered again and 20 times concurrently", async () => {
    const body = { secret: SECRET, ticker: "SOLUSD", action: "buy", message: uid("dup") };
    expect((await (await send(body)).json()).duplicate).toBe(false);
    const burst = await Promise.all(Array.from({ length: 20 }, () => send({ ...body })));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(await count(`trading_alerts where payload->'alert'->>'message' = '${body.message}'`)).toBe(1);
    // key order does not make a different alert
    const reordered = { message: body.message, action: "buy", ticker: "SOLUSD", secret: SECRET };
    expect(await (await send(reordered)).json()).toMatchObject({ duplicate: true });
  });

  describe("rejections write nothing", () => {
    it.each([
      ["a wrong secret (JSON)", { secret: "nope", ticker: "BTCUSD" }, 401],
      ["a missing secret (JSON)", { ticker: "BTCUSD", action: "buy" }, 401],
      ["a non-string secret", { secret: 12345, ticker: "BTCUSD" }, 401],
      ["a wrong secret (text)", "secret=nope\nticker=BTCUSD", 401],
      ["a missing secret (text)", "BTCUSD crossed up", 401],
      ["a secret that differs by one character", { secret: SECRET.slice(0, -1) + "x" }, 401],
      ["malformed JSON", '{"secret": "' + SECRET + '", ', 400],
      ["a JSON array", [SECRET], 400],
      ["an empty body", "", 400],
    ])("refuses %s", async (_name, body, status) => {
      const before = await businessRows();
      const res = await send(body as string | object);
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(await businessRows()).toEqual(before);
    });

    it("refuses the secret in another letter case (no signature exists, so the secret is the whole check)", async () => {
      const before = await businessRows();
      expect((await send(`secret=${SECRET.toUpperCase()}\nticker=BTCUSD`)).status).toBe(401);
      expect(await businessRows()).toEqual(before);
    });
  });

  it("lists TradingView events with the provider filter", async () => {
    const events = await listWebhookEvents(t.db, { provider: "tradingview", limit: 200 });
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.every((e) => e.provider === "tradingview" && e.event_type === "alert")).toBe(true);
  });
});
