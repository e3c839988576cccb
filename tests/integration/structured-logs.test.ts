/**
 * Structured logs: a webhook run's log, captured, is one JSON line per request
 * with request id, provider, event id, outcome and duration, and never a
 * secret, a header or a payload field (not even the buyer's e-mail).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { setDb, type Database } from "@/lib/db";
import { createLogger, formatPretty, setLogger } from "@/lib/logger";
import { createUser } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";

const ALLOWED_FIELDS = [
  "level",
  "time",
  "msg",
  "request_id",
  "provider",
  "event_id",
  "event_type",
  "outcome",
  "http_status",
  "duration_ms",
  "error",
];
const BUYER_EMAIL = "leaky.buyer@example.com";
const CARD_HINT = "4242424242424242";

describe("webhook request logs", () => {
  const t = useRouteSuite("pglite", () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  const lines: string[] = [];

  beforeAll(() =>
    setLogger(createLogger({ level: "info", format: "json" }, { write: (line: string) => void lines.push(line) })),
  );
  afterAll(() => setLogger(undefined));
  beforeEach(() => {
    lines.length = 0;
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it("writes one JSON line per request with request id, provider, event id, outcome and duration, and no payload or secret", async () => {
    const user = await createUser(t.db, `${uid("logged")}@example.com`);
    const paid = stripeEvent(
      "checkout.session.completed",
      checkoutSession({
        client_reference_id: user,
        customer_details: { email: BUYER_EMAIL },
        metadata: { credits: "5", note: CARD_HINT },
      }),
    );
    const unknownPack = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ customer_email: BUYER_EMAIL, metadata: { package_id: "nope" } }),
    );
    const signed = signedRequest(paid);
    const signature = signed.headers.get("stripe-signature")!;

    expect((await POST(signed)).status).toBe(200);
    expect((await POST(signedRequest(paid))).status).toBe(200); // duplicate
    expect((await POST(signedRequest(unknownPack))).status).toBe(200); // stored as failed
    expect((await POST(signedRequest(paid, { secret: "whsec_wrong_secret_000000000000" }))).status).toBe(401);
    expect((await POST(signedRequest(paid, { header: "garbage" }))).status).toBe(400);

    const log = entries();
    expect(log).toHaveLength(5);
    for (const entry of log) {
      expect(Object.keys(entry).filter((k) => !ALLOWED_FIELDS.includes(k))).toEqual([]);
      expect(entry).toMatchObject({
        msg: "webhook",
        provider: "stripe",
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        duration_ms: expect.any(Number),
      });
      expect(typeof entry.time).toBe("string");
    }
    expect(log.map((e) => [e.level, e.outcome, e.http_status, e.event_id ?? null])).toEqual([
      ["info", "processed", 200, paid.id],
      ["info", "duplicate", 200, paid.id],
      ["info", "failed", 200, unknownPack.id],
      ["warn", "rejected", 401, null],
      ["warn", "rejected", 400, null],
    ]);
    expect(log[3].error).toBe("WebhookRejection: invalid signature");
    expect(new Set(log.map((e) => e.request_id)).size).toBe(5);

    const text = lines.join("");
    for (const secret of [
      WEBHOOK_SECRET,
      signature,
      BUYER_EMAIL,
      CARD_HINT,
      user,
      "client_reference_id",
      "customer_details",
      "whsec_",
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("keeps the caller's X-Request-Id when it is a plain token, and replaces anything else", async () => {
    const request = (id: string) => {
      const r = signedRequest(stripeEvent("payment_intent.created", { id: uid("pi") }));
      r.headers.set("x-request-id", id);
      return r;
    };
    await POST(request("lb-7f3a.91:abc"));
    await POST(request('x" injected=1 {}'));
    const [kept, replaced] = entries();
    expect(kept.request_id).toBe("lb-7f3a.91:abc");
    expect(replaced.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept.outcome).toBe("ignored");
  });

  it("logs an unexpected failure by kind and message only: no stack, no payload", async () => {
    const broken: Database = {
      mode: "postgres",
      rpc: async () => {
        throw new TypeError(`kaboom`);
      },
      close: async () => {},
    };
    setDb(broken);
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ customer_details: { email: BUYER_EMAIL } }),
    );
    const response = await POST(signedRequest(event));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "internal error" });
    const [entry] = entries();
    expect(entry).toMatchObject({
      level: "error",
      outcome: "error",
      http_status: 500,
      event_id: event.id,
      error: "TypeError: kaboom",
    });
    expect(lines.join("")).not.toMatch(/\bat \S+ \(|stack|leaky\.buyer/);
  });

  it("redacts secret-looking fields even if a caller passes them", () => {
    const captured: string[] = [];
    const logger = createLogger(
      { level: "info", format: "json" },
      { write: (line: string) => void captured.push(line) },
    );
    logger.info(
      {
        provider: "stripe",
        payload: { email: BUYER_EMAIL },
        headers: { authorization: "Bearer x" },
        nested: { secret: "s3cr3t" },
      },
      "oops",
    );
    expect(captured.join("")).not.toMatch(/leaky|Bearer x|s3cr3t/);
  });

  it("reads as one line per entry in development (pretty format)", () => {
    const line = JSON.stringify({
      level: "info",
      time: "2026-11-30T09:15:02.123Z",
      msg: "webhook",
      provider: "stripe",
      event_id: "evt_1",
      outcome: "processed",
      duration_ms: 12.5,
    });
    expect(formatPretty(line)).toBe(
      "09:15:02.123 INFO  webhook provider=stripe event_id=evt_1 outcome=processed duration_ms=12.5\n",
    );
  });
});
