/**
 * POST /api/stripe/webhook through the real route handler, signed with the
 * stripe package, on PGlite and (when DATABASE_URL is set) a Postgres server.
 * The 71 real payloads in tests/fixtures/stripe-events: stripe-fixtures.test.ts.
 */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { GET as cronSweep } from "@/app/api/cron/webhooks/route";
import { setDb } from "@/lib/db";
import { createPostgresDatabase } from "@/lib/db/postgres";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import {
  ROTATED_SECRET,
  WEBHOOK_SECRET,
  checkoutSession,
  disputeObject,
  signedRequest,
  stripeEvent,
  uid,
} from "../helpers/stripe";

describe.each(targets)("Stripe webhook on %s", (target) => {
  const t = useRouteSuite(target, () => ({
    STRIPE_WEBHOOK_SECRET: `${WEBHOOK_SECRET}, ${ROTATED_SECRET}`,
    CRON_SECRET: "cron-secret-for-tests",
  }));
  const { count, businessRows } = t;
  const eventRow = (eventId: string) => t.eventRow("stripe", eventId).then((row) => row!);

  const deliver = async (event: object, options?: Parameters<typeof signedRequest>[1]) => {
    const response = await POST(signedRequest(event, options));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const makeDue = () =>
    t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where status = 'failed'");
  const sweep = () =>
    cronSweep(
      new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer cron-secret-for-tests" } }),
    );

  describe("checkout.session.completed", () => {
    it("grants the pack's credits to the client_reference_id user when paid", async () => {
      const user = await createUser(t.db, `${uid("buyer")}@example.com`);
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ client_reference_id: user, metadata: { package_id: "starter" } }),
      );
      const res = await deliver(event);
      expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false, status: "processed" } });
      expect(await balanceOf(t.db, user)).toBe(100);
      expect((await eventRow(event.id)).outcome).toMatch(/granted 100 credits/);
    });

    it("grants when no payment is required, reading metadata.user_id and metadata.credits", async () => {
      const user = await createUser(t.db, `${uid("free")}@example.com`);
      const session = checkoutSession({
        payment_status: "no_payment_required",
        payment_intent: null,
        amount_total: 0,
        metadata: { user_id: user, credits: "42" },
      });
      await deliver(stripeEvent("checkout.session.completed", session));
      expect(await balanceOf(t.db, user)).toBe(42);
      const purchase = await t.db.query<{ external_id: string }>(
        "select external_id from purchases where user_id = $1",
        [user],
      );
      expect(purchase[0].external_id).toBe(session.id); // no payment intent: the session id is the identity
    });

    it("waits when unpaid, then grants on async_payment_succeeded and records async_payment_failed", async () => {
      const user = await createUser(t.db, `${uid("async")}@example.com`);
      const unpaidPro = () =>
        checkoutSession({ payment_status: "unpaid", client_reference_id: user, metadata: { package_id: "pro" } });
      const processedAs = async (eventId: string, outcome: RegExp) =>
        expect(await eventRow(eventId)).toMatchObject({ status: "processed", outcome: expect.stringMatching(outcome) });

      const session = unpaidPro();
      const waiting = stripeEvent("checkout.session.completed", session);
      await deliver(waiting);
      await processedAs(waiting.id, /awaiting async payment/);
      expect(await balanceOf(t.db, user)).toBe(0);

      await deliver(stripeEvent("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }));
      expect(await balanceOf(t.db, user)).toBe(550);

      const failed = stripeEvent("checkout.session.async_payment_failed", unpaidPro());
      await deliver(failed);
      await processedAs(failed.id, /async payment failed/);
      expect(await balanceOf(t.db, user)).toBe(550);
    });

    it("files a pending grant for an unknown e-mail, claimed when that e-mail signs up (any case)", async () => {
      const email = `${uid("later")}@Example.com`;
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ customer_details: { email }, metadata: { package_id: "starter" } }),
      );
      await deliver(event);
      expect((await eventRow(event.id)).outcome).toMatch(/pending grant of 100 credits/);
      const user = await createUser(t.db, email.toUpperCase());
      expect(await balanceOf(t.db, user)).toBe(100);
      const grant = await t.db.query<{ claimed_by: string }>(
        "select claimed_by from pending_credit_grants where lower(email) = lower($1)",
        [email],
      );
      expect(grant[0].claimed_by).toBe(user);
    });

    it("matches a known e-mail to the account when there is no user id", async () => {
      const email = `${uid("known")}@example.com`;
      const user = await createUser(t.db, email);
      await deliver(
        stripeEvent(
          "checkout.session.completed",
          checkoutSession({ customer_email: email.toUpperCase(), metadata: { package_id: "starter" } }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("ignores subscription-mode checkouts (credits come with invoice.paid)", async () => {
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ mode: "subscription", metadata: { package_id: "starter" } }),
      );
      await deliver(event);
      expect((await eventRow(event.id)).status).toBe("ignored");
    });
  });

  describe("exactly once", () => {
    it("grants once when Stripe redelivers the same event", async () => {
      const user = await createUser(t.db, `${uid("redeliver")}@example.com`);
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ client_reference_id: user, metadata: { package_id: "starter" } }),
      );
      expect((await deliver(event)).body.duplicate).toBe(false);
      expect((await deliver(event)).body).toMatchObject({ duplicate: true });
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("grants once when the event is delivered 40 times concurrently", async () => {
      const user = await createUser(t.db, `${uid("burst")}@example.com`);
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ client_reference_id: user, metadata: { package_id: "pro" } }),
      );
      const results = await Promise.all(Array.from({ length: 40 }, () => deliver(event)));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
      expect(await balanceOf(t.db, user)).toBe(550);
    });

    it("grants once for a checkout session and its payment intent (one payment)", async () => {
      const user = await createUser(t.db, `${uid("pair")}@example.com`);
      const pi = uid("pi");
      const metadata = { package_id: "starter", user_id: user };
      await Promise.all([
        deliver(
          stripeEvent(
            "checkout.session.completed",
            checkoutSession({ payment_intent: pi, client_reference_id: user, metadata }),
          ),
        ),
        deliver(
          stripeEvent("payment_intent.succeeded", {
            id: pi,
            object: "payment_intent",
            amount: 500,
            amount_received: 500,
            currency: "usd",
            metadata,
          }),
        ),
      ]);
      expect(await balanceOf(t.db, user)).toBe(100);
      expect(await count(`purchases where external_id = '${pi}'`)).toBe(1);
    });
  });

  describe("payment intents", () => {
    it("grants an Elements payment whose metadata names credits, and ignores others", async () => {
      const user = await createUser(t.db, `${uid("elements")}@example.com`);
      const pi = {
        id: uid("pi"),
        object: "payment_intent",
        amount: 900,
        amount_received: 900,
        currency: "usd",
        metadata: { user_id: user, credits: "77" },
      };
      await deliver(stripeEvent("payment_intent.succeeded", pi));
      expect(await balanceOf(t.db, user)).toBe(77);

      const plain = stripeEvent("payment_intent.succeeded", { ...pi, id: uid("pi"), metadata: {} });
      await deliver(plain);
      expect((await eventRow(plain.id)).status).toBe("ignored");
    });

    it("records payment_failed with Stripe's message", async () => {
      const event = stripeEvent("payment_intent.payment_failed", {
        id: uid("pi"),
        object: "payment_intent",
        amount: 500,
        currency: "usd",
        metadata: {},
        last_payment_error: { code: "card_declined", message: "Your card was declined." },
      });
      await deliver(event);
      expect(await eventRow(event.id)).toMatchObject({
        status: "processed",
        outcome: "payment failed: Your card was declined.",
      });
    });
  });

  describe("refunds and disputes", () => {
    const buy = async (credits: string) => {
      const user = await createUser(t.db, `${uid("refund")}@example.com`);
      const pi = uid("pi");
      await deliver(
        stripeEvent(
          "checkout.session.completed",
          checkoutSession({ payment_intent: pi, client_reference_id: user, amount_total: 1000, metadata: { credits } }),
        ),
      );
      return { user, pi };
    };
    const charge = (pi: string, refunded: number, id = uid("ch")) => ({
      id,
      object: "charge",
      amount: 1000,
      amount_refunded: refunded,
      payment_intent: pi,
      refunded: refunded === 1000,
    });

    it("reverses credits in proportion to the cumulative refunded amount", async () => {
      const { user, pi } = await buy("200");
      const ch = uid("ch");
      await deliver(stripeEvent("charge.refunded", charge(pi, 250, ch)));
      expect(await balanceOf(t.db, user)).toBe(150);
      await deliver(stripeEvent("charge.refunded", charge(pi, 250, ch))); // a second event with the same total
      expect(await balanceOf(t.db, user)).toBe(150);
      await deliver(stripeEvent("charge.refunded", charge(pi, 1000, ch)));
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(
        (await t.db.query<{ status: string }>("select status from purchases where external_id = $1", [pi]))[0].status,
      ).toBe("refunded");
    });

    it("takes back the remaining credits on a dispute and gives them back when won", async () => {
      const { user, pi } = await buy("300");
      const dp = uid("dp");
      await deliver(
        stripeEvent(
          "charge.dispute.created",
          disputeObject({ id: dp, status: "needs_response", pi: pi, charge: uid("ch"), amount: 1000 }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(0);
      await deliver(
        stripeEvent(
          "charge.dispute.closed",
          disputeObject({ id: dp, status: "won", pi: pi, charge: uid("ch"), amount: 1000 }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(300);
    });

    it("marks the purchase reversed when a dispute is lost, even if 'closed' arrives first", async () => {
      const { user, pi } = await buy("120");
      const dp = uid("dp");
      await deliver(
        stripeEvent("charge.dispute.closed", disputeObject({ id: dp, status: "lost", pi: pi, charge: null })),
      );
      await deliver(
        stripeEvent(
          "charge.dispute.created",
          disputeObject({ id: dp, status: "needs_response", pi: pi, charge: null }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(
        (await t.db.query<{ status: string }>("select status from purchases where external_id = $1", [pi]))[0].status,
      ).toBe("reversed");
    });

    it("stores a refund that arrives before its purchase as failed, and the sweep applies it later", async () => {
      const user = await createUser(t.db, `${uid("early")}@example.com`);
      const pi = uid("pi");
      const refund = stripeEvent("charge.refunded", charge(pi, 500));
      const res = await deliver(refund);
      expect(res.status).toBe(200);
      expect(await eventRow(refund.id)).toMatchObject({
        status: "failed",
        last_error: expect.stringMatching(/purchase not found/),
      });

      await deliver(
        stripeEvent(
          "checkout.session.completed",
          checkoutSession({
            payment_intent: pi,
            client_reference_id: user,
            amount_total: 1000,
            metadata: { credits: "100" },
          }),
        ),
      );
      expect(await balanceOf(t.db, user)).toBe(100);
      await makeDue();
      const swept = await sweep();
      expect(swept.status).toBe(200);
      expect(await eventRow(refund.id)).toMatchObject({ status: "processed", attempts: 2 });
      expect(await balanceOf(t.db, user)).toBe(50);
    });
  });

  describe("subscriptions", () => {
    it("grants the plan's credits once per paid invoice (new and old API field locations)", async () => {
      const user = await createUser(t.db, `${uid("sub")}@example.com`);
      const newApi = stripeEvent("invoice.paid", {
        id: uid("in"),
        object: "invoice",
        amount_paid: 2500,
        currency: "usd",
        customer_email: null,
        metadata: {},
        parent: {
          type: "subscription_details",
          subscription_details: { subscription: uid("sub"), metadata: { package_id: "pro", user_id: user } },
        },
      });
      await deliver(newApi);
      await deliver({ ...newApi, id: uid("evt") }); // same invoice, another event
      expect(await balanceOf(t.db, user)).toBe(550);

      const oldApi = stripeEvent(
        "invoice.paid",
        {
          id: uid("in"),
          object: "invoice",
          amount_paid: 2500,
          currency: "usd",
          subscription: uid("sub"),
          subscription_details: { metadata: { credits: "10", user_id: user } },
          metadata: {},
        },
        { api_version: "2022-11-15" },
      );
      await deliver(oldApi);
      expect(await balanceOf(t.db, user)).toBe(560);
    });

    it("keeps the newest subscription state when events arrive out of order", async () => {
      const sub = uid("sub");
      const base = {
        id: sub,
        object: "subscription",
        customer: "cus_1",
        metadata: {},
        cancel_at_period_end: false,
        items: { data: [{ current_period_end: 1900000000 }] },
      };
      const newer = stripeEvent("customer.subscription.updated", { ...base, status: "past_due" }, { created: 2000 });
      const older = stripeEvent("customer.subscription.created", { ...base, status: "active" }, { created: 1000 });
      await deliver(newer);
      await deliver(older);
      expect((await eventRow(older.id)).status).toBe("ignored");
      const row = await t.db.query<{ status: string; current_period_end: Date }>(
        "select status, current_period_end from subscriptions where external_id = $1",
        [sub],
      );
      expect(row[0].status).toBe("past_due");
      expect(new Date(row[0].current_period_end).getTime()).toBe(1900000000 * 1000);

      await deliver(stripeEvent("customer.subscription.deleted", { ...base, status: "canceled" }, { created: 3000 }));
      expect(
        (await t.db.query<{ status: string }>("select status from subscriptions where external_id = $1", [sub]))[0]
          .status,
      ).toBe("canceled");
    });
  });

  describe("unknown and unhandled", () => {
    it("records an unhandled type as ignored and answers 200", async () => {
      const event = stripeEvent("customer.tax_id.created", { id: "txi_1", object: "tax_id" });
      expect((await deliver(event)).status).toBe(200);
      expect(await eventRow(event.id)).toMatchObject({
        status: "ignored",
        outcome: "unhandled event type customer.tax_id.created",
      });
    });

    it("fails an unknown package with a reason, and the sweep grants it once the pack exists", async () => {
      const user = await createUser(t.db, `${uid("gold")}@example.com`);
      const pack = `gold_${target}`;
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ client_reference_id: user, metadata: { package_id: pack } }),
      );
      expect((await deliver(event)).status).toBe(200);
      expect(await eventRow(event.id)).toMatchObject({ status: "failed", last_error: `unknown package: ${pack}` });
      expect(await count("purchases where user_id = '" + user + "'")).toBe(0);

      await t.db.query(
        "insert into credit_packages (id, name, credits, amount_minor, currency) values ($1, 'Gold', 1000, 4000, 'usd')",
        [pack],
      );
      await makeDue();
      await sweep();
      expect(await eventRow(event.id)).toMatchObject({ status: "processed", attempts: 2 });
      expect(await balanceOf(t.db, user)).toBe(1000);
    });
  });

  describe("rejections write nothing", () => {
    const valid = () =>
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ customer_email: "reject@example.com", metadata: { package_id: "starter" } }),
      );

    it.each([
      [
        "a bad signature",
        () => signedRequest(valid(), { header: `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` }),
        401,
      ],
      ["the wrong secret", () => signedRequest(valid(), { secret: "whsec_not_ours" }), 401],
      ["a missing header", () => signedRequest(valid(), { header: null }), 400],
      ["a malformed header", () => signedRequest(valid(), { header: "garbage" }), 400],
      ["a stale timestamp", () => signedRequest(valid(), { timestamp: Math.floor(Date.now() / 1000) - 301 }), 401],
      ["malformed JSON", () => signedRequest("{not json"), 400],
      ["a signed body that is not an event", () => signedRequest({ hello: "world" }), 400],
    ])("refuses %s", async (_name, build, status) => {
      const before = await businessRows();
      const response = await POST(build());
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: string };
      expect(body.error).toBeTruthy();
      expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|whsec_/);
      expect(await businessRows()).toEqual(before);
    });

    it("refuses a tampered body", async () => {
      const before = await businessRows();
      const payload = JSON.stringify(valid());
      const header = signedRequest(payload).headers.get("stripe-signature")!;
      const tampered = payload.replace('"amount_total":500', '"amount_total":5');
      const response = await POST(signedRequest(tampered, { header }));
      expect(response.status).toBe(401);
      expect(await businessRows()).toEqual(before);
    });

    it("refuses a 2 MiB body with 413", async () => {
      const before = await businessRows();
      const big = { ...valid(), padding: "x".repeat(2 * 1024 * 1024) };
      expect((await POST(signedRequest(big))).status).toBe(413);
      const chunked = new Request("http://localhost/api/stripe/webhook", {
        method: "POST",
        headers: { "stripe-signature": "t=1,v1=00" },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(1024 * 1024));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect((await POST(chunked)).status).toBe(413);
      expect(await businessRows()).toEqual(before);
    });

    it("accepts an event signed with the rotated (second) secret", async () => {
      const event = valid();
      expect((await deliver(event, { secret: ROTATED_SECRET })).status).toBe(200);
    });
  });

  describe("database outage", () => {
    it("answers 503 while the database is unreachable, then the same delivery succeeds once", async () => {
      const user = await createUser(t.db, `${uid("outage")}@example.com`);
      const event = stripeEvent(
        "checkout.session.completed",
        checkoutSession({ client_reference_id: user, metadata: { package_id: "starter" } }),
      );
      const request = signedRequest(event);
      const down = createPostgresDatabase({
        connectionString: "postgres://postgres@127.0.0.1:1/nothing",
        connectionTimeoutMillis: 1000,
      });
      setDb(down);
      const outage = await POST(request.clone());
      expect(outage.status).toBe(503);
      expect(await outage.json()).toEqual({ error: "temporarily unavailable, please retry" });
      await down.close();

      setDb(t.db);
      const retried = await POST(request.clone());
      expect(retried.status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(100);
      expect((await POST(request.clone())).status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(100);
    });
  });

  describe("retry sweep endpoint", () => {
    it("refuses without the cron secret", async () => {
      expect((await cronSweep(new Request("http://localhost/api/cron/webhooks"))).status).toBe(401);
      expect(
        (
          await cronSweep(
            new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer nope" } }),
          )
        ).status,
      ).toBe(401);
    });
  });
});
