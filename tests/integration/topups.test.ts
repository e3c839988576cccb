/**
 * Automatic top-up (097_topups.sql, lib/topups): the bugs others shipped are
 * the tests. A debit below the threshold records one attempt (never one per
 * spend or per increment), the worker charges it once however many workers
 * run, credits come only from the signed payment_intent.succeeded (once, also
 * when redelivered or early), the monthly limit holds, three declines turn it
 * off and mail the user, a refund of a top-up reverses it. Through the real
 * Stripe webhook route, on PGlite and (with DATABASE_URL) Postgres; Stripe's
 * API is the local fake (tests/helpers/stripe-api.ts).
 */
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import {
  getTopupStatus,
  removeSavedCard,
  setTopupSettings,
  setTopupTestDecline,
  turnOffTopup,
} from "@/lib/db/rpc/topups";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { createWebhookEndpoint } from "@/lib/db/rpc/outgoing-webhooks";
import { stripeCharger, testCharger, topupIdempotencyKey, type OwnWebhook } from "@/lib/topups/charge";
import { runTopupWorker } from "@/lib/topups/worker";
import pg from "pg";
import {
  balanceOf,
  createUser,
  openTestDatabase,
  serverUrl,
  targets,
  walletsOffLedger,
  type TestDatabase,
} from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";
import { startFakeStripeApi, type FakeStripeApi } from "../helpers/stripe-api";

describe.each(targets)("automatic top-up on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  let api: FakeStripeApi;
  let stripe: Stripe;
  beforeAll(async () => {
    api = await startFakeStripeApi();
    const base = new URL(api.origin);
    stripe = new Stripe("sk_test_fake", {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
      maxNetworkRetries: 0,
    });
  });
  afterAll(() => api?.close());

  const deliver = async (event: object) => {
    const response = await POST(signedRequest(event));
    expect(response.status).toBe(200);
    return (await response.json()) as { status: string };
  };
  /** The test checkout's charger, delivering to the route in-process instead of over HTTP. */
  const ownWebhook: OwnWebhook = async (payload, signature) => {
    const response = await POST(
      new Request("http://localhost/api/stripe/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": signature },
        body: payload,
      }),
    );
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  };
  const runTestWorker = () => runTopupWorker(t.db, testCharger(ownWebhook));

  const spend = (user: string, amount: number) =>
    t.db.query("select public.spend_credits($1, $2, $3)", [user, amount, uid("spend")]);
  const attempts = (user: string) =>
    t.db.query<{ id: string; status: string; payment_intent_id: string | null; purchase_id: string | null }>(
      "select id, status, payment_intent_id, purchase_id from topup_attempts where user_id = $1 order by created_at",
      [user],
    );
  const mails = (email: string) =>
    t.db.query<{ subject: string; body_text: string }>(
      "select subject, body_text from email_outbox where to_email = $1 and kind = 'topup_failed' order by created_at",
      [email],
    );

  /** A user with `balance` credits, a saved card and automatic top-up of the Starter pack (100 credits, $5). */
  async function topupUser(
    options: { balance?: number; threshold?: number; limit?: number; card?: "test" | "stripe" } = {},
  ) {
    const email = `${uid("topup")}@example.com`;
    const user = await createUser(t.db, email);
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: uid("pi_seed"),
      userId: user,
      credits: options.balance ?? 300,
      amountMinor: 1500,
      currency: "usd",
    });
    const card = options.card ?? "test";
    await t.db.query("select public.save_card($1, $2, $3, $4, $5)", [
      user,
      uid("cus"),
      card === "test" ? uid("pm_test") : "pm_card_visa",
      uid("pi_saved"),
      card === "test",
    ]);
    await setTopupSettings(t.db, user, {
      enabled: true,
      packageId: "starter",
      threshold: options.threshold ?? 100,
      monthlyLimitMinor: options.limit ?? 5000,
    });
    return { user, email };
  }

  describe("the trigger", () => {
    it("records one attempt when a spend leaves the balance below the threshold, and none more while it is in flight", async () => {
      const { user } = await topupUser();
      await spend(user, 150); // 150: not below 100
      expect(await attempts(user)).toHaveLength(0);
      await spend(user, 60); // 90
      expect(await attempts(user)).toMatchObject([{ status: "pending" }]);
      for (let i = 0; i < 5; i++) await spend(user, 10); // every increment below the threshold
      expect(await attempts(user)).toHaveLength(1);
      await runTestWorker();
      expect(await balanceOf(t.db, user)).toBe(140);
      expect(await attempts(user)).toMatchObject([{ status: "succeeded" }]);
    });

    it("records nothing when top-up is off, without a card, or for a refund taking credits back", async () => {
      const off = await topupUser();
      await setTopupSettings(t.db, off.user, {
        enabled: false,
        packageId: "starter",
        threshold: 100,
        monthlyLimitMinor: 5000,
      });
      await spend(off.user, 250);
      expect(await attempts(off.user)).toHaveLength(0);

      const noCard = await topupUser();
      await removeSavedCard(t.db, noCard.user);
      expect((await getTopupStatus(t.db, noCard.user)).settings).toMatchObject({ enabled: false });
      await spend(noCard.user, 250);
      expect(await attempts(noCard.user)).toHaveLength(0);

      const refunded = await topupUser({ balance: 150 });
      const pi = uid("pi_refund");
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: pi,
        userId: refunded.user,
        credits: 100,
        amountMinor: 500,
        currency: "usd",
      });
      await t.db.query("select public.reverse_purchase_credits('stripe', $1, 'refund', 'ch_x', 500)", [pi]);
      expect(await balanceOf(t.db, refunded.user)).toBe(150);
      await t.db.query("select public.reverse_purchase_credits('stripe', $1, 'dispute', 'dp_x')", [pi]);
      expect(await attempts(refunded.user)).toHaveLength(0);
    });

    it("turns off in one call whatever the pack's state, keeping the settings", async () => {
      const { user } = await topupUser({ threshold: 70 });
      await t.db.query("update credit_packages set active = false where id = 'starter'");
      try {
        expect(await turnOffTopup(t.db, user)).toBe(true);
        expect(await turnOffTopup(t.db, user)).toBe(false);
      } finally {
        await t.db.query("update credit_packages set active = true where id = 'starter'");
      }
      expect((await getTopupStatus(t.db, user)).settings).toMatchObject({ enabled: false, threshold: 70 });
      await spend(user, 250);
      expect(await attempts(user)).toHaveLength(0);
    });

    it("refuses to turn on without a saved card or with a monthly limit below one pack, changing nothing", async () => {
      const user = await createUser(t.db, `${uid("nocard")}@example.com`);
      await expect(
        setTopupSettings(t.db, user, { enabled: true, packageId: "starter", threshold: 10, monthlyLimitMinor: 5000 }),
      ).rejects.toThrow(/save a card first/);
      const { user: withCard } = await topupUser();
      await expect(
        setTopupSettings(t.db, withCard, {
          enabled: true,
          packageId: "starter",
          threshold: 10,
          monthlyLimitMinor: 499,
        }),
      ).rejects.toThrow(/at least the price of one pack \(5\.00 USD\)/);
      await expect(
        setTopupSettings(t.db, withCard, { enabled: true, packageId: "nope", threshold: 10, monthlyLimitMinor: 5000 }),
      ).rejects.toThrow(/pack that is on sale/);
      expect((await getTopupStatus(t.db, withCard)).settings).toMatchObject({
        threshold: 100,
        monthly_limit_minor: 5000,
      });
    });
  });

  describe("charging in test mode (the simulated Stripe event)", () => {
    it("grants the pack once from payment_intent.succeeded; a redelivery or a second event for the payment grants nothing", async () => {
      const { user } = await topupUser();
      await spend(user, 250); // 50
      expect(await runTestWorker()).toMatchObject({ declined: 0 });
      expect(await balanceOf(t.db, user)).toBe(150);
      const [attempt] = await attempts(user);
      expect(attempt).toMatchObject({
        status: "succeeded",
        payment_intent_id: expect.stringMatching(/^pi_topuptest_/),
      });
      const purchase = (
        await t.db.query<{ external_id: string; package_id: string; credits: string }>(
          "select external_id, package_id, credits::text from purchases where id = $1",
          [attempt.purchase_id],
        )
      )[0];
      expect(purchase).toMatchObject({ external_id: attempt.payment_intent_id, package_id: "starter", credits: "100" });
      // a lot like any purchase's, saying it came from an automatic top-up
      expect(
        await t.db.query("select source, category, granted::text from credit_lots where purchase_id = $1", [
          attempt.purchase_id,
        ]),
      ).toEqual([{ source: "auto_topup", category: "paid", granted: "100" }]);

      // Stripe redelivers the same event, and another event names the same payment: nothing more
      const succeeded = stripeEvent("payment_intent.succeeded", {
        id: attempt.payment_intent_id,
        object: "payment_intent",
        amount: 500,
        amount_received: 500,
        currency: "usd",
        metadata: { topup_id: attempt.id, user_id: user, package_id: "starter" },
      });
      await deliver(succeeded);
      await deliver(succeeded);
      expect(await balanceOf(t.db, user)).toBe(150);
      expect(await runTestWorker()).toMatchObject({ charged: 0 });
      expect(await walletsOffLedger(t.db)).toEqual([]);
    });

    it("a webhook arriving before the attempt row is visible still grants once", async () => {
      const { user } = await topupUser();
      const topupId = crypto.randomUUID();
      const pi = uid("pi_early");
      const event = (id: string) =>
        stripeEvent("payment_intent.succeeded", {
          id,
          object: "payment_intent",
          amount: 500,
          amount_received: 500,
          currency: "usd",
          metadata: { topup_id: topupId, user_id: user, package_id: "starter" },
        });
      await deliver(event(pi));
      await deliver(event(pi));
      expect(await balanceOf(t.db, user)).toBe(400);
      const rows = await t.db.query<{ status: string }>("select status from topup_attempts where id = $1", [topupId]);
      expect(rows).toEqual([{ status: "succeeded" }]);
    });

    it("stops at the monthly limit", async () => {
      const { user } = await topupUser({ limit: 1000 }); // two packs of $5
      await spend(user, 250); // 50 → top-up 1 → 150
      await runTestWorker();
      await spend(user, 100); // 50 → top-up 2 → 150
      await runTestWorker();
      expect(await balanceOf(t.db, user)).toBe(150);
      await spend(user, 100); // 50: a third would pass the limit
      expect(await attempts(user)).toHaveLength(2);
      const status = await getTopupStatus(t.db, user);
      expect(status.settings).toMatchObject({ month_spent_minor: 1000, month_count: 2, enabled: true });
    });

    it("three declines in a row turn it off and mail the user each time, the last mail saying so", async () => {
      const { user, email } = await topupUser({ balance: 1000, threshold: 990 });
      for (let i = 1; i <= 3; i++) {
        expect(await setTopupTestDecline(t.db, user, true)).toBe(true);
        await spend(user, 20);
        expect(await runTestWorker()).toMatchObject({ charged: 1 }); // the event was sent; the webhook failed it
        expect((await attempts(user)).at(-1)).toMatchObject({ status: "failed" });
        expect((await getTopupStatus(t.db, user)).settings).toMatchObject({
          consecutive_failures: i,
          enabled: i < 3,
          last_failure_reason: expect.stringMatching(/declined/),
        });
      }
      const sent = await mails(email);
      expect(sent).toHaveLength(3);
      expect(sent[0].subject).toBe("Automatic top-up failed");
      expect(sent[0].body_text).toContain("{{app_url}}/wallet/buy");
      expect(sent[2].subject).toBe("Automatic top-up failed and is now off");
      expect(sent[2].body_text).toMatch(/third failure in a row, so automatic top-up is now turned off/);
      expect(sent[2].body_text).toContain("{{app_url}}/settings/top-up");
      expect(await balanceOf(t.db, user)).toBe(940);

      await spend(user, 20); // off: nothing more
      expect(await attempts(user)).toHaveLength(3);
      // turning it on again starts a new run of failures
      await setTopupSettings(t.db, user, {
        enabled: true,
        packageId: "starter",
        threshold: 990,
        monthlyLimitMinor: 5000,
      });
      expect((await getTopupStatus(t.db, user)).settings).toMatchObject({
        consecutive_failures: 0,
        disabled_reason: null,
      });
    });

    it("a success clears the run of failures", async () => {
      const { user } = await topupUser({ balance: 1000, threshold: 990 });
      await setTopupTestDecline(t.db, user, true);
      await spend(user, 20);
      await runTestWorker();
      await spend(user, 20);
      await runTestWorker();
      expect((await getTopupStatus(t.db, user)).settings).toMatchObject({ consecutive_failures: 0, enabled: true });
      expect(await balanceOf(t.db, user)).toBe(1060);
    });

    it("a refund or dispute of a top-up reverses it like any purchase, and does not top up again", async () => {
      const { user } = await topupUser();
      await spend(user, 250);
      await runTestWorker();
      const [attempt] = await attempts(user);
      expect(await balanceOf(t.db, user)).toBe(150);
      await deliver(
        stripeEvent("charge.refunded", {
          id: uid("ch"),
          object: "charge",
          amount: 500,
          amount_refunded: 500,
          payment_intent: attempt.payment_intent_id,
        }),
      );
      expect(await balanceOf(t.db, user)).toBe(50);
      expect(await attempts(user)).toHaveLength(1);

      const other = await topupUser();
      await spend(other.user, 250);
      await runTestWorker();
      const [disputed] = await attempts(other.user);
      await deliver(
        stripeEvent("charge.dispute.created", {
          id: uid("dp"),
          object: "dispute",
          status: "needs_response",
          payment_intent: disputed.payment_intent_id,
          charge: null,
        }),
      );
      expect(await balanceOf(t.db, other.user)).toBe(50);
      expect(await attempts(other.user)).toHaveLength(1);
    });
  });

  describe("outgoing webhooks", () => {
    it("sends topup.succeeded with the grant and topup.failed with the failure, once per attempt", async () => {
      await createWebhookEndpoint(t.db, `https://hooks.example.com/${uid("topups")}`, [
        "topup.succeeded",
        "topup.failed",
      ]);
      const { user } = await topupUser({ balance: 1000, threshold: 990 });
      const events = () =>
        t.db.query<{ type: string; data: Record<string, unknown> }>(
          "select type, data from outgoing_events where data ->> 'user_id' = $1 order by created_at",
          [user],
        );
      await spend(user, 20);
      await runTestWorker();
      const [attempt] = await attempts(user);
      expect(await events()).toEqual([
        {
          type: "topup.succeeded",
          data: expect.objectContaining({
            topup_id: attempt.id,
            package_id: "starter",
            credits: 100,
            amount_minor: 500,
            currency: "usd",
            payment_intent_id: attempt.payment_intent_id,
            balance: 1080,
          }),
        },
      ]);
      // a redelivered success sends nothing more
      await deliver(
        stripeEvent("payment_intent.succeeded", {
          id: attempt.payment_intent_id,
          object: "payment_intent",
          amount: 500,
          amount_received: 500,
          currency: "usd",
          metadata: { topup_id: attempt.id, user_id: user, package_id: "starter" },
        }),
      );
      expect(await events()).toHaveLength(1);

      await setTopupTestDecline(t.db, user, true);
      await spend(user, 100);
      await runTestWorker();
      const failed = (await attempts(user))[1];
      const [, failure] = await events();
      expect(failure).toEqual({
        type: "topup.failed",
        data: expect.objectContaining({
          topup_id: failed.id,
          reason: expect.stringMatching(/declined/),
          consecutive_failures: 1,
          disabled: false,
        }),
      });
      // the same decline reported again (the webhook after the worker) sends nothing more
      await t.db.query("select public.fail_topup_attempt($1, 'again')", [failed.id]);
      expect(await events()).toHaveLength(2);
    });
  });

  describe("charging at Stripe (the fake API)", () => {
    it("saves the card from a checkout that asked to, and reads its brand and last 4", async () => {
      const user = await createUser(t.db, `${uid("saver")}@example.com`);
      const pi = uid("pi_checkout");
      api.knownPaymentIntents.set(pi, { payment_method: "pm_saved_1", customer: "cus_saved_1" });
      api.paymentMethods.set("pm_saved_1", { brand: "visa", last4: "4242" });
      const res = await deliver(
        stripeEvent(
          "checkout.session.completed",
          checkoutSession({
            client_reference_id: user,
            payment_intent: pi,
            customer: "cus_saved_1",
            metadata: { package_id: "starter", save_card: "1" },
          }),
        ),
      );
      expect(res.status).toBe("processed");
      expect((await getTopupStatus(t.db, user)).card).toMatchObject({ brand: null, ready: false, test: false });
      expect(await runTopupWorker(t.db, stripeCharger(stripe), { stripe })).toMatchObject({ cards: 1 });
      expect((await getTopupStatus(t.db, user)).card).toMatchObject({ brand: "visa", last4: "4242", ready: true });
      const stored = await t.db.query(
        "select stripe_customer_id, stripe_payment_method_id from saved_cards where user_id = $1",
        [user],
      );
      expect(stored).toEqual([{ stripe_customer_id: "cus_saved_1", stripe_payment_method_id: "pm_saved_1" }]);
    });

    it("creates one off-session PaymentIntent per attempt, whatever number of workers run or retry", async () => {
      const { user } = await topupUser({ card: "stripe" });
      await spend(user, 250);
      const [attempt] = await attempts(user);
      const before = api.paymentIntents.length;
      // two app instances at once
      await Promise.all([runTopupWorker(t.db, stripeCharger(stripe)), runTopupWorker(t.db, stripeCharger(stripe))]);
      // a worker that died after Stripe answered: its lease runs out and the attempt is charged again
      await t.db.query(
        "update topup_attempts set status = 'charging', next_try_at = now() - interval '1 second' where id = $1",
        [attempt.id],
      );
      await runTopupWorker(t.db, stripeCharger(stripe));
      const created = api.paymentIntents.slice(before);
      expect(created).toHaveLength(1);
      expect(created[0].idempotencyKey).toBe(topupIdempotencyKey(attempt.id));
      expect(created[0].params).toMatchObject({
        amount: "500",
        currency: "usd",
        off_session: "true",
        confirm: "true",
        payment_method: "pm_card_visa",
        "metadata[topup_id]": attempt.id,
        "metadata[user_id]": user,
        "metadata[package_id]": "starter",
      });
      const [processing] = await attempts(user);
      expect(processing).toMatchObject({ status: "processing", payment_intent_id: created[0].id });
      expect(await balanceOf(t.db, user)).toBe(50); // credits only from the webhook

      await deliver(
        stripeEvent("payment_intent.succeeded", {
          id: created[0].id,
          object: "payment_intent",
          amount: 500,
          amount_received: 500,
          currency: "usd",
          metadata: { topup_id: attempt.id, user_id: user, package_id: "starter" },
        }),
      );
      expect(await balanceOf(t.db, user)).toBe(150);
      expect((await attempts(user))[0].status).toBe("succeeded");
    });

    it("a decline or authentication_required fails the attempt once, whether the worker or the webhook reports it first", async () => {
      const { user, email } = await topupUser({ card: "stripe" });
      api.paymentIntentOutcome = () => ({
        decline: "authentication_required",
        message: "This payment requires authentication.",
      });
      try {
        await spend(user, 250);
        expect(await runTopupWorker(t.db, stripeCharger(stripe))).toMatchObject({ declined: 1 });
      } finally {
        api.paymentIntentOutcome = undefined;
      }
      const [attempt] = await attempts(user);
      expect(attempt.status).toBe("failed");
      const failedEvent = stripeEvent("payment_intent.payment_failed", {
        id: attempt.payment_intent_id,
        object: "payment_intent",
        amount: 500,
        currency: "usd",
        metadata: { topup_id: attempt.id, user_id: user, package_id: "starter" },
        last_payment_error: { code: "authentication_required", message: "This payment requires authentication." },
      });
      expect((await deliver(failedEvent)).status).toBe("ignored");
      expect((await getTopupStatus(t.db, user)).settings).toMatchObject({ consecutive_failures: 1, enabled: true });
      expect(await mails(email)).toHaveLength(1);
      expect((await mails(email))[0].body_text).toContain("This payment requires authentication.");
    });

    it("retries a charge Stripe did not answer, with the same idempotency key", async () => {
      const { user } = await topupUser({ card: "stripe" });
      await spend(user, 250);
      const [attempt] = await attempts(user);
      api.paymentIntentOutcome = () => ({ serverError: true });
      try {
        expect(await runTopupWorker(t.db, stripeCharger(stripe))).toMatchObject({ retrying: 1 });
      } finally {
        api.paymentIntentOutcome = undefined;
      }
      expect((await attempts(user))[0].status).toBe("charging");
      await t.db.query("update topup_attempts set next_try_at = now() where id = $1", [attempt.id]);
      expect(await runTopupWorker(t.db, stripeCharger(stripe))).toMatchObject({ charged: 1 });
      expect(api.paymentIntents.filter((p) => p.idempotencyKey === topupIdempotencyKey(attempt.id))).toHaveLength(1);
    });
  });
});

describe.skipIf(!serverUrl)("automatic top-up under concurrent spends on a Postgres server", () => {
  let t: TestDatabase;
  let clients: pg.Client[] = [];
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    clients = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const client = new pg.Client({ connectionString: t.url });
        await client.connect();
        return client;
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await t?.drop();
  });

  it("40 concurrent spends across the threshold record exactly one top-up, credited once", async () => {
    const user = await createUser(t.db, `${uid("race")}@example.com`);
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: uid("pi_seed"),
      userId: user,
      credits: 500,
      amountMinor: 2500,
      currency: "usd",
    });
    await t.db.query("select public.save_card($1, 'cus_race', 'pm_test_race', 'pi_saved_race', true)", [user]);
    await setTopupSettings(t.db, user, {
      enabled: true,
      packageId: "starter",
      threshold: 300,
      monthlyLimitMinor: 50000,
    });
    const results = await Promise.allSettled(
      clients.map((c, i) => c.query("select public.spend_credits($1, 10, $2)", [user, `race-${i}`])),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await balanceOf(t.db, user)).toBe(100);
    const rows = await t.db.query<{ id: string; status: string }>(
      "select id, status from topup_attempts where user_id = $1",
      [user],
    );
    expect(rows).toEqual([{ id: expect.any(String), status: "pending" }]);

    // several workers at once charge it once; the webhook grants it once
    process.env.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET;
    const { resetEnvCache } = await import("@/lib/env");
    const { setDb } = await import("@/lib/db");
    resetEnvCache();
    setDb(t.db);
    let deliveries = 0;
    const ownWebhook: OwnWebhook = async (payload, signature) => {
      deliveries += 1;
      const response = await POST(
        new Request("http://localhost/api/stripe/webhook", {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": signature },
          body: payload,
        }),
      );
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    };
    try {
      await Promise.all(Array.from({ length: 4 }, () => runTopupWorker(t.db, testCharger(ownWebhook))));
    } finally {
      setDb(undefined);
    }
    expect(deliveries).toBe(1);
    expect(await balanceOf(t.db, user)).toBe(200);
    expect(await walletsOffLedger(t.db)).toEqual([]);
    expect(await t.db.query("select * from public.credit_invariant_violations()")).toEqual([]);
  });
});
