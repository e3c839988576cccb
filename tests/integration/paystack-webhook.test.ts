/**
 * POST /api/paystack/webhook and GET /api/paystack/callback through the real
 * routes, on PGlite and the server; Paystack's verify API is a local server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as callback } from "@/app/api/paystack/callback/route";
import { POST } from "@/app/api/paystack/webhook/route";
import { listWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { resetEnvCache } from "@/lib/env";
import { balanceOf, createUser, targets } from "../helpers/databases";
import {
  PAYSTACK_SECRET,
  chargeSuccess,
  paystackRequest,
  paystackTransaction,
  startVerifyApi,
  type VerifyApi,
} from "../helpers/paystack";
import { useRouteSuite } from "../helpers/route-suite";
import { uid } from "../helpers/stripe";

describe.each(targets)("Paystack on %s", (target) => {
  let api: VerifyApi;
  beforeAll(async () => {
    api = await startVerifyApi();
  });
  afterAll(async () => api?.close());
  const t = useRouteSuite(target, () => ({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: api.base }));
  const { count, businessRows } = t;
  beforeEach(() => {
    process.env.PAYSTACK_API_BASE = api.base;
    resetEnvCache();
  });

  const deliver = async (event: object, options?: Parameters<typeof paystackRequest>[1]) => {
    const response = await POST(paystackRequest(event, options));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const returnTo = (ref: string) => callback(new Request(`http://localhost/api/paystack/callback?reference=${encodeURIComponent(ref)}&trxref=${encodeURIComponent(ref)}`));
  const eventRow = (eventId: string) => t.eventRow("paystack", eventId).then((row) => row!);
  const buyer = async () => {
    const email = `${uid("paystack")}@example.com`;
    return { email, user: await createUser(t.db, email) };
  };

  describe("webhook", () => {
    it("grants the package named in metadata to metadata.user_id on charge.success", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 2500, metadata: { package_id: "pro", user_id: user } });
      const res = await deliver(chargeSuccess(tx));
      expect(res).toMatchObject({ status: 200, body: { duplicate: false, status: "processed" } });
      expect(await balanceOf(t.db, user)).toBe(550);
      expect((await eventRow(`charge.success:${tx.id}`)).outcome).toMatch(/granted 550 credits/);
    });

    it("finds the buyer by customer e-mail, reads metadata given as a JSON string, and grants metadata.credits", async () => {
      const { user, email } = await buyer();
      await deliver(chargeSuccess(paystackTransaction({ customer: { email: email.toUpperCase() }, metadata: JSON.stringify({ credits: "42" }) })));
      expect(await balanceOf(t.db, user)).toBe(42);
    });

    it("files a pending grant for an e-mail without an account, claimed at sign-up", async () => {
      const email = `${uid("later")}@example.com`;
      await deliver(chargeSuccess(paystackTransaction({ customer: { email } })));
      const user = await createUser(t.db, email);
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("fails a payment below the package price, with the reason", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 100, metadata: { package_id: "starter", user_id: user } });
      await deliver(chargeSuccess(tx));
      expect(await eventRow(`charge.success:${tx.id}`)).toMatchObject({ status: "failed", last_error: "amount does not match package starter: paid 100 usd, price 500 usd" });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("grants once on redelivery and 30 concurrent copies", async () => {
      const { user } = await buyer();
      const event = chargeSuccess(paystackTransaction({ metadata: { package_id: "starter", user_id: user } }));
      expect((await deliver(event)).body.duplicate).toBe(false);
      const burst = await Promise.all(Array.from({ length: 30 }, () => deliver(event)));
      expect(burst.every((r) => r.status === 200 && r.body.duplicate === true)).toBe(true);
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("records other events as ignored", async () => {
      const event = { event: "transfer.success", data: { id: 99, reference: uid("trf"), amount: 1000, currency: "NGN" } };
      expect((await deliver(event)).status).toBe(200);
      expect((await eventRow("transfer.success:99")).status).toBe("ignored");
    });
  });

  describe("callback", () => {
    it("verifies with Paystack's API, grants, and redirects to /wallet", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ metadata: { package_id: "starter", user_id: user } });
      api.set(tx);
      const res = await returnTo(tx.reference);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("http://localhost/wallet?checkout=success&package=starter");
      expect(await balanceOf(t.db, user)).toBe(100);
      // Paystack's webhook arrives afterwards: same purchase, nothing more
      expect((await deliver(chargeSuccess(tx))).status).toBe(200);
      expect((await eventRow(`charge.success:${tx.id}`)).outcome).toMatch(/duplicate payment/);
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("grants once when webhooks and callbacks race (10 of each)", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 10000, metadata: { package_id: "scale", user_id: user } });
      api.set(tx);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => returnTo(tx.reference)),
        ...Array.from({ length: 10 }, () => POST(paystackRequest(chargeSuccess(tx)))),
      ]);
      expect(results.slice(0, 10).every((r) => r.status === 303)).toBe(true);
      expect(results.slice(10).every((r) => r.status === 200)).toBe(true);
      expect(await balanceOf(t.db, user)).toBe(2400);
      expect(await count(`purchases where provider = 'paystack' and external_id = '${tx.reference}'`)).toBe(1);
    });

    it("shows a friendly page and grants nothing when Paystack cannot be reached; the webhook completes it", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ metadata: { package_id: "starter", user_id: user } });
      process.env.PAYSTACK_API_BASE = "http://127.0.0.1:1";
      resetEnvCache();
      const before = await businessRows();
      const res = await returnTo(tx.reference);
      expect(res.status).toBe(502);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      const html = await res.text();
      expect(html).toMatch(/could not confirm your payment yet/);
      expect(html).not.toMatch(/at \w+ \(|Error:|sk_test/);
      expect(await businessRows()).toEqual(before);

      await deliver(chargeSuccess(tx));
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("grants nothing for a payment Paystack does not report as successful, or does not know", async () => {
      const { user } = await buyer();
      const abandoned = paystackTransaction({ status: "abandoned", metadata: { package_id: "starter", user_id: user } });
      api.set(abandoned);
      const before = await businessRows();
      expect((await returnTo(abandoned.reference)).status).toBe(402);
      expect((await returnTo("ref_nobody_paid")).status).toBe(502);
      expect((await returnTo("<script>")).status).toBe(400);
      expect(await businessRows()).toEqual(before);
    });

    it("does not grant through the callback when the amount is below the package price", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 499, metadata: { package_id: "starter", user_id: user } });
      api.set(tx);
      expect((await returnTo(tx.reference)).status).toBe(409);
      expect(await balanceOf(t.db, user)).toBe(0);
    });
  });

  describe("rejections write nothing", () => {
    const valid = () => chargeSuccess(paystackTransaction({ customer: { email: "reject@example.com" } }));
    it.each([
      ["a bad signature", () => paystackRequest(valid(), { header: "0".repeat(128) }), 401],
      ["the wrong secret", () => paystackRequest(valid(), { secret: "sk_test_other" }), 401],
      ["a missing header", () => paystackRequest(valid(), { header: null }), 400],
      ["malformed JSON", () => paystackRequest("{not json"), 400],
      ["a signed body that is not an event", () => paystackRequest({ hello: "world" }), 400],
    ])("refuses %s", async (_name, build, status) => {
      const before = await businessRows();
      const res = await POST(build());
      expect(res.status).toBe(status);
      expect(JSON.stringify(await res.json())).not.toMatch(/at \w+ \(|sk_test/);
      expect(await businessRows()).toEqual(before);
    });

    it("refuses a tampered body", async () => {
      const payload = JSON.stringify(valid());
      const header = paystackRequest(payload).headers.get("x-paystack-signature")!;
      const before = await businessRows();
      const res = await POST(paystackRequest(payload.replace('"amount":500', '"amount":50000'), { header }));
      expect(res.status).toBe(401);
      expect(await businessRows()).toEqual(before);
    });
  });

  it("lists Paystack events with the provider filter", async () => {
    const events = await listWebhookEvents(t.db, { provider: "paystack", limit: 200 });
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.provider === "paystack")).toBe(true);
  });
});
