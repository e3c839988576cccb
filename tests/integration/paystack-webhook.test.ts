/**
 * POST /api/paystack/webhook and GET /api/paystack/callback through the real
 * routes, on PGlite and the server; Paystack's verify API is a local server.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import PaystackReturnPage from "@/app/(site)/checkout/paystack/page";
import { GET as callback } from "@/app/api/paystack/callback/route";
import { POST } from "@/app/api/paystack/webhook/route";
import { listWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { resetEnvCache } from "@/lib/env";
import { retryEvent } from "@/lib/ingest/retry";
import { balanceOf, createUser, targets } from "../helpers/databases";
import {
  PAYSTACK_SECRET,
  cardAuthorization,
  chargeSuccess,
  dispute,
  paystackRequest,
  paystackTransaction,
  refundProcessed,
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
  const t = useRouteSuite(target, () => ({
    PAYSTACK_SECRET_KEY: PAYSTACK_SECRET,
    PAYSTACK_API_BASE: api.base,
    APP_URL: "https://credits.example.com",
  }));
  const { count, businessRows } = t;
  beforeEach(() => {
    process.env.PAYSTACK_API_BASE = api.base;
    resetEnvCache();
  });

  const deliver = async (event: object, options?: Parameters<typeof paystackRequest>[1]) => {
    const response = await POST(paystackRequest(event, options));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const returnTo = (ref: string) =>
    callback(
      new Request(
        `http://localhost/api/paystack/callback?reference=${encodeURIComponent(ref)}&trxref=${encodeURIComponent(ref)}`,
      ),
    );
  /** The outcome a not-granted return names (303 to /checkout/paystack). */
  const outcomeOf = (res: Response) => {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.pathname).toBe("/checkout/paystack");
    return location.searchParams.get("outcome");
  };
  /** The page that 303 leads to, rendered as the buyer sees it. */
  const returnPage = async (res: Response) => {
    const query = new URL(res.headers.get("location")!).searchParams;
    const searchParams = Promise.resolve(Object.fromEntries(query));
    return renderToStaticMarkup(await PaystackReturnPage({ searchParams }));
  };
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

    it("finds the buyer by customer e-mail and reads metadata given as a JSON string", async () => {
      const { user, email } = await buyer();
      await deliver(
        chargeSuccess(
          paystackTransaction({
            customer: { email: email.toUpperCase() },
            metadata: JSON.stringify({ package_id: "starter" }),
          }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("never trusts a credit count in metadata: {user_id, credits: 999999} paying 100 is failed with the reason, nothing granted", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 100, metadata: { user_id: user, credits: "999999" } });
      const before = await count("purchases");
      expect((await deliver(chargeSuccess(tx))).status).toBe(200);
      const row = await eventRow(`charge.success:${tx.id}`);
      expect(row.status).toBe("failed");
      expect(row.last_error).toMatch(/no package_id.*credit count in metadata is never trusted/);
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(await count("purchases")).toBe(before);
    });

    it("ignores metadata.credits beside a package: the pack's credits are granted", async () => {
      const { user } = await buyer();
      await deliver(
        chargeSuccess(paystackTransaction({ metadata: { package_id: "starter", user_id: user, credits: "999999" } })),
      );
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("compares the currency case-insensitively, and refuses a pack's price paid in another currency", async () => {
      await t.db.query(
        "insert into public.credit_packages (id, name, credits, amount_minor, currency) values ('naira', 'Naira pack', 300, 500000, 'ngn') on conflict (id) do nothing",
      );
      const { user } = await buyer();
      await deliver(
        chargeSuccess(
          paystackTransaction({ amount: 500000, currency: "NGN", metadata: { package_id: "naira", user_id: user } }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(300);

      const kobo = paystackTransaction({
        amount: 500000,
        currency: "GHS",
        metadata: { package_id: "naira", user_id: user },
      });
      await deliver(chargeSuccess(kobo));
      expect(await eventRow(`charge.success:${kobo.id}`)).toMatchObject({
        status: "failed",
        last_error: "amount does not match package naira: paid 500000 ghs, price 500000 ngn",
      });
      expect(await balanceOf(t.db, user)).toBe(300);
    });

    it("stores the payload with the card token and other reusable secrets redacted", async () => {
      const { user } = await buyer();
      const authorization = cardAuthorization();
      const tx = paystackTransaction({
        metadata: { package_id: "starter", user_id: user },
        authorization,
        subscription: { subscription_code: "SUB_x", email_token: "3a1h7bcu8zxhm8k" },
      });
      await deliver(chargeSuccess(tx));
      const [stored] = await t.db.query<{
        payload: { data: { authorization: Record<string, unknown>; subscription: Record<string, unknown> } };
      }>("select payload from webhook_events where provider = 'paystack' and event_id = $1", [
        `charge.success:${tx.id}`,
      ]);
      expect(stored.payload.data.authorization).toMatchObject({
        authorization_code: "[redacted]",
        last4: "4081",
        brand: "visa",
      });
      expect(stored.payload.data.subscription).toMatchObject({ subscription_code: "SUB_x", email_token: "[redacted]" });
      expect(JSON.stringify(stored.payload)).not.toContain(authorization.authorization_code);
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("fails a charge whose reference is not a Paystack reference (no '..', no slashes)", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({
        reference: "../../transaction",
        metadata: { package_id: "starter", user_id: user },
      });
      await deliver(chargeSuccess(tx));
      expect((await eventRow(`charge.success:${tx.id}`)).status).toBe("failed");
      expect(await balanceOf(t.db, user)).toBe(0);
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
      expect(await eventRow(`charge.success:${tx.id}`)).toMatchObject({
        status: "failed",
        last_error: "amount does not match package starter: paid 100 usd, price 500 usd",
      });
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
      const event = {
        event: "transfer.success",
        data: { id: 99, reference: uid("trf"), amount: 1000, currency: "NGN" },
      };
      expect((await deliver(event)).status).toBe(200);
      expect((await eventRow("transfer.success:99")).status).toBe("ignored");
    });
    /*
     * Types Paystack documents whose data has no id, reference or refund reference: a 4xx would make
     * Paystack retry them for 72 hours and they would never reach the event log (SPEC §4: record as
     * ignored, answer 200). Named by a digest of their data, so a redelivery is still a duplicate.
     */
    it("records signed events without any id field (customer identification, invoices) as ignored, once", async () => {
      const events = [
        {
          event: "customeridentification.success",
          data: { customer_id: uid("cus"), customer_code: uid("CUS_"), email: "x@example.com", identification: {} },
        },
        {
          event: "invoice.payment_failed",
          data: { invoice_code: uid("INV_"), amount: 50000, transaction: { reference: uid("tx") }, paid: false },
        },
        { event: "dedicatedaccount.assign.success", data: { customer: { id: 4242 }, dedicated_account: null } },
      ];
      const before = await businessRows();
      for (const event of events) {
        const first = await deliver(event);
        expect({ type: event.event, status: first.status }).toEqual({ type: event.event, status: 200 });
        expect(first.body).toMatchObject({ duplicate: false, status: "ignored" });
        const again = await deliver(event);
        expect(again.body).toMatchObject({ duplicate: true });
      }
      const after = await businessRows();
      expect(after).toEqual({ ...before, events: before.events + events.length });
    });

    it("still refuses a signed body that is not a Paystack event (no event name, or data not an object)", async () => {
      for (const body of [{ data: { id: 1 } }, { event: "charge.success", data: "x" }, { event: "", data: {} }]) {
        expect((await deliver(body)).status).toBe(400);
      }
    });
  });

  describe("refunds and disputes", () => {
    /** A granted purchase of the pro pack (550 credits for 2500). */
    const paid = async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 2500, metadata: { package_id: "pro", user_id: user } });
      await deliver(chargeSuccess(tx));
      expect(await balanceOf(t.db, user)).toBe(550);
      return { user, tx };
    };
    const purchase = async (reference: string) =>
      (
        await t.db.query<{ status: string; refunded_credits: string; disputed_credits: string }>(
          "select status, refunded_credits::text, disputed_credits::text from purchases where provider = 'paystack' and external_id = $1",
          [reference],
        )
      )[0];

    it("refund.processed takes back the credits of a full refund, once however often it is delivered", async () => {
      const { user, tx } = await paid();
      const refund = refundProcessed(tx.reference, "2500");
      const res = await deliver(refund);
      expect(res).toMatchObject({ status: 200, body: { duplicate: false, status: "processed" } });
      expect(await balanceOf(t.db, user)).toBe(0);
      expect((await purchase(tx.reference)).status).toBe("refunded");
      expect((await deliver(refund)).body.duplicate).toBe(true);
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("adds up partial refunds (each its own refund_reference) in proportion to the amount", async () => {
      const { user, tx } = await paid();
      await deliver(refundProcessed(tx.reference, 1000)); // 2/5 of the price
      expect(await balanceOf(t.db, user)).toBe(330);
      expect((await purchase(tx.reference)).status).toBe("partially_refunded");
      await deliver(refundProcessed(tx.reference, "1500"));
      expect(await balanceOf(t.db, user)).toBe(0);
      expect((await purchase(tx.reference)).status).toBe("refunded");
    });

    it("counts two partial refunds delivered together, 10 copies each, exactly once each", async () => {
      const { user, tx } = await paid();
      const first = refundProcessed(tx.reference, 500);
      const second = refundProcessed(tx.reference, "750");
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(i % 2 ? first : second)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(2);
      expect(await balanceOf(t.db, user)).toBe(275); // 550 − 550 × 1250 / 2500
      expect(
        await count(
          `purchase_refunds r join purchases p on p.id = r.purchase_id where p.external_id = '${tx.reference}'`,
        ),
      ).toBe(2);
    });

    it("keeps a refund for a payment not seen yet as failed, and applies it on retry once the charge has arrived", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 2500, metadata: { package_id: "pro", user_id: user } });
      const refund = refundProcessed(tx.reference, 2500);
      await deliver(refund);
      const eventId = `refund.processed:${refund.data.refund_reference}`;
      expect(await eventRow(eventId)).toMatchObject({
        status: "failed",
        last_error: `purchase not found: paystack ${tx.reference}`,
      });
      await deliver(chargeSuccess(tx));
      const [{ id }] = await t.db.query<{ id: string }>(
        "select id from webhook_events where provider = 'paystack' and event_id = $1",
        [eventId],
      );
      await retryEvent(t.db, id, "admin");
      expect((await eventRow(eventId)).status).toBe("processed");
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("records refunds that are not processed yet (pending, processing, failed) without taking credits", async () => {
      const { user, tx } = await paid();
      for (const event of ["refund.pending", "refund.processing", "refund.failed"]) {
        const res = await deliver({
          ...refundProcessed(tx.reference, 2500, { status: event.split(".")[1], refund_reference: null }),
          event,
        });
        expect(res.status).toBe(200);
      }
      expect(await balanceOf(t.db, user)).toBe(550);
    });

    it("charge.dispute.create takes the credits back; resolve declined (the merchant won) gives them back", async () => {
      const { user, tx } = await paid();
      const opened = dispute("charge.dispute.create", tx, { id: 9001 });
      expect((await deliver(opened)).status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(0);
      expect((await purchase(tx.reference)).status).toBe("disputed");
      expect((await deliver(dispute("charge.dispute.remind", tx, { id: 9001 }))).status).toBe(200);
      await deliver(dispute("charge.dispute.resolve", tx, { id: 9001, resolution: "declined" }));
      expect(await balanceOf(t.db, user)).toBe(550);
      expect((await eventRow("charge.dispute.resolve:9001")).outcome).toMatch(/gave back 550 credits/);
    });

    it.each(["merchant-accepted", "auto-accepted"])(
      "a dispute resolved %s (the customer was refunded) keeps the credits taken",
      async (resolution) => {
        const { user, tx } = await paid();
        const id = Math.floor(Math.random() * 1e9);
        await deliver(dispute("charge.dispute.create", tx, { id }));
        await deliver(dispute("charge.dispute.resolve", tx, { id, resolution }));
        expect(await balanceOf(t.db, user)).toBe(0);
        expect((await purchase(tx.reference)).status).toBe("reversed");
      },
    );

    it("a dispute resolved before its create arrived (out of order) changes nothing more", async () => {
      const { user, tx } = await paid();
      const id = Math.floor(Math.random() * 1e9);
      await deliver(dispute("charge.dispute.resolve", tx, { id, resolution: "merchant-accepted" }));
      await deliver(dispute("charge.dispute.create", tx, { id }));
      expect(await balanceOf(t.db, user)).toBe(0);
      expect((await purchase(tx.reference)).disputed_credits).toBe("550");
    });
  });

  describe("callback", () => {
    it("verifies with Paystack's API, grants, and redirects to /wallet", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ metadata: { package_id: "starter", user_id: user } });
      api.set(tx);
      const res = await returnTo(tx.reference);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("https://credits.example.com/wallet?checkout=success&package=starter");
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

    it("sends the buyer to a page that explains, and grants nothing, when Paystack cannot be reached; the webhook completes it", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ metadata: { package_id: "starter", user_id: user } });
      process.env.PAYSTACK_API_BASE = "http://127.0.0.1:1";
      resetEnvCache();
      const before = await businessRows();
      const res = await returnTo(tx.reference);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(
        `https://credits.example.com/checkout/paystack?outcome=unreachable&reference=${tx.reference}`,
      );
      const html = await returnPage(res);
      expect(html).toMatch(/could not confirm your payment yet/);
      expect(html).toMatch(/Paystack did not answer in time/);
      expect(html).toContain(`Reference ${tx.reference}`);
      expect(html).not.toMatch(/at \w+ \(|Error:|sk_test/);
      expect(await businessRows()).toEqual(before);

      await deliver(chargeSuccess(tx));
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("grants nothing for a payment Paystack does not report as successful, or does not know", async () => {
      const { user } = await buyer();
      const abandoned = paystackTransaction({
        status: "abandoned",
        metadata: { package_id: "starter", user_id: user },
      });
      api.set(abandoned);
      const before = await businessRows();
      const notPaid = await returnTo(abandoned.reference);
      expect(outcomeOf(notPaid)).toBe("not-paid");
      expect(await returnPage(notPaid)).toMatch(/Payment not completed.*No credits were added/s);
      expect(outcomeOf(await returnTo("ref_nobody_paid"))).toBe("unknown");
      expect((await returnTo("<script>")).status).toBe(400);
      expect(await businessRows()).toEqual(before);
    });

    it("explains an outcome it does not know as not confirmed yet, and shows nothing else from the query", async () => {
      const html = renderToStaticMarkup(
        await PaystackReturnPage({
          searchParams: Promise.resolve({ outcome: "<b>granted</b>", reference: ["a", "b"] }),
        }),
      );
      expect(html).toMatch(/could not confirm your payment yet/);
      expect(html).not.toContain("<b>");
      expect(html).not.toContain("Reference");
    });

    it("redirects to APP_URL's /wallet whatever Host and X-Forwarded-* the request carries", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ metadata: { package_id: "starter", user_id: user } });
      api.set(tx);
      const res = await callback(
        new Request(`http://evil.example/api/paystack/callback?reference=${tx.reference}`, {
          headers: { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
        }),
      );
      expect(res.status).toBe(303);
      expect(new URL(res.headers.get("location")!).origin).toBe("https://credits.example.com");
    });

    it.each(["..", ".", "a/../b", "..%2F..%2Fbank", "ref..x", "ref/x"])(
      "refuses the reference %j without calling Paystack",
      async (ref) => {
        const calls = api.requests();
        const res = await callback(new Request(`http://localhost/api/paystack/callback?reference=${ref}`));
        expect(res.status).toBe(400);
        expect(api.requests()).toBe(calls);
      },
    );

    it("does not grant through the callback when the amount is below the package price", async () => {
      const { user } = await buyer();
      const tx = paystackTransaction({ amount: 499, metadata: { package_id: "starter", user_id: user } });
      api.set(tx);
      expect(outcomeOf(await returnTo(tx.reference))).toBe("mismatch");
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
