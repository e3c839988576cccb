/**
 * Stripe subscriptions through the real webhook route, on PGlite and (when
 * DATABASE_URL is set) a Postgres server: credits per paid invoice from the
 * plan, refunds and disputes of one period's payment in both API eras,
 * out-of-order and duplicate delivery, and failed renewals.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as cronSweep } from "@/app/api/cron/webhooks/route";
import { POST } from "@/app/api/stripe/webhook/route";
import {
  addMonth,
  invoiceEvent,
  subscriptionEvent,
  testId,
  type TestSubscription,
} from "@/lib/providers/stripe/test-subscription-events";
import { balanceOf, confirmEmail, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, disputeObject, signedRequest, stripeEvent, uid } from "../helpers/stripe";

const FIXTURES = path.resolve(__dirname, "../fixtures/stripe-events");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));

/** The seeded monthly plan (seeded by the migration that made credit_plans; supabase/schemas/070_subscriptions.sql). */
const PLAN = { id: "basic-monthly", credits: 600, amount: 2000 };

describe.each(targets)("Stripe subscriptions on %s", (target) => {
  const t = useRouteSuite(target, () => ({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    CRON_SECRET: "cron-secret-for-tests",
  }));
  const eventRow = (eventId: string) => t.eventRow("stripe", eventId).then((row) => row!);
  const deliver = async (event: object) => {
    const response = await POST(signedRequest(event));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sweepDue = async () => {
    await t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where status = 'failed'");
    const res = await cronSweep(
      new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer cron-secret-for-tests" } }),
    );
    expect(res.status).toBe(200);
  };
  const subscriptionRow = async (sub: string) =>
    (
      await t.db.query<{
        status: string;
        plan_id: string | null;
        user_id: string | null;
        last_payment_error: string | null;
        current_period_end: Date | null;
      }>(
        "select status, plan_id, user_id, last_payment_error, current_period_end from subscriptions where external_id = $1",
        [sub],
      )
    )[0];
  const purchaseOf = async (externalId: string) =>
    (
      await t.db.query<{ status: string; credits: string }>(
        "select status, credits from purchases where external_id = $1",
        [externalId],
      )
    )[0];

  /** What every API version's paid invoice has: id, amount, currency, customer. */
  const paidInvoice = (id: string, amount = PLAN.amount) => ({
    id,
    object: "invoice",
    status: "paid",
    amount_paid: amount,
    currency: "usd",
    customer: "cus_x",
    customer_email: null,
  });
  /** An invoice.paid as API 2025-03-31 and later send it: no payment_intent / charge on the invoice. */
  const invoicePaidNew = (a: {
    invoice: string;
    sub: string;
    user: string;
    amount?: number;
    periodEnd?: number;
    created?: number;
  }) =>
    stripeEvent(
      "invoice.paid",
      {
        ...paidInvoice(a.invoice, a.amount),
        metadata: {},
        parent: {
          type: "subscription_details",
          subscription_details: { subscription: a.sub, metadata: { plan_id: PLAN.id, user_id: a.user } },
        },
        lines: {
          object: "list",
          data: [
            {
              id: uid("il"),
              object: "line_item",
              period: { start: (a.periodEnd ?? 1900000000) - 2592000, end: a.periodEnd ?? 1900000000 },
              metadata: {},
            },
          ],
        },
      },
      a.created ? { created: a.created } : {},
    );
  /** An invoice.paid as API versions before 2025-03-31 send it: the payment on the invoice itself. */
  const invoicePaidOld = (a: {
    invoice: string;
    sub: string;
    user: string;
    pi: string | null;
    charge: string | null;
    amount?: number;
  }) =>
    stripeEvent(
      "invoice.paid",
      {
        ...paidInvoice(a.invoice, a.amount),
        subscription: a.sub,
        payment_intent: a.pi,
        charge: a.charge,
        metadata: {},
        lines: {
          object: "list",
          data: [
            {
              id: uid("il"),
              object: "line_item",
              type: "subscription",
              subscription: a.sub,
              period: { start: 1, end: 1900000000 },
              metadata: { plan_id: PLAN.id, user_id: a.user },
            },
          ],
        },
      },
      { api_version: "2022-11-15" },
    );
  /** invoice_payment.paid (API 2025-03-31 and later), shaped like the real fixture. */
  const invoicePaymentPaid = (invoice: string, pi: string) => {
    const event = fixture("invoice_payment_paid.json");
    event.id = uid("evt");
    event.created = Math.floor(Date.now() / 1000);
    Object.assign(event.data.object, {
      id: uid("inpay"),
      invoice,
      payment: { type: "payment_intent", payment_intent: pi },
    });
    return event;
  };
  /** charge.refunded shaped like the real fixture, for this payment. */
  const chargeRefunded = (a: {
    charge: string;
    pi: string | null;
    amount: number;
    refunded: number;
    invoice?: string | null;
  }) => {
    const event = fixture("charge_refunded.json");
    event.id = uid("evt");
    event.created = Math.floor(Date.now() / 1000);
    Object.assign(event.data.object, {
      id: a.charge,
      payment_intent: a.pi,
      amount: a.amount,
      amount_refunded: a.refunded,
      invoice: a.invoice ?? null,
    });
    return event;
  };
  const dispute = (type: string, a: { id: string; charge: string; pi: string | null; status: string }) =>
    stripeEvent(type, disputeObject({ ...a, amount: PLAN.amount }));

  describe("refunds and disputes of a period's payment", () => {
    it("before 2025-03-31: a refund of invoice.payment_intent takes back that period's credits only", async () => {
      const user = await createUser(t.db, `${uid("old")}@example.com`);
      const sub = uid("sub");
      const first = { invoice: uid("in"), pi: uid("pi"), charge: uid("ch") };
      const second = { invoice: uid("in"), pi: uid("pi"), charge: uid("ch") };
      await deliver(invoicePaidOld({ ...first, sub, user }));
      await deliver(invoicePaidOld({ ...second, sub, user }));
      expect(await balanceOf(t.db, user)).toBe(2 * PLAN.credits);

      const refund = chargeRefunded({
        charge: second.charge,
        pi: second.pi,
        amount: PLAN.amount,
        refunded: PLAN.amount / 2,
      });
      await deliver(refund);
      expect(await eventRow(refund.id)).toMatchObject({
        status: "processed",
        outcome: expect.stringMatching(/took back 300 credits/),
      });
      expect(await balanceOf(t.db, user)).toBe(2 * PLAN.credits - 300);
      expect(await purchaseOf(second.invoice)).toMatchObject({ status: "partially_refunded" });
      expect(await purchaseOf(first.invoice)).toMatchObject({ status: "completed" });
    });

    it("before 2025-03-31: a dispute naming only invoice.charge takes the period back, and gives it back when won", async () => {
      const user = await createUser(t.db, `${uid("oldchg")}@example.com`);
      const paid = { invoice: uid("in"), pi: null, charge: uid("ch") };
      await deliver(invoicePaidOld({ ...paid, sub: uid("sub"), user }));
      const dp = uid("dp");
      await deliver(
        dispute("charge.dispute.created", { id: dp, charge: paid.charge, pi: null, status: "needs_response" }),
      );
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(await purchaseOf(paid.invoice)).toMatchObject({ status: "disputed" });
      await deliver(dispute("charge.dispute.closed", { id: dp, charge: paid.charge, pi: null, status: "won" }));
      expect(await balanceOf(t.db, user)).toBe(PLAN.credits);
    });

    it("a charge that names its invoice (older API versions) is refunded against that invoice", async () => {
      const user = await createUser(t.db, `${uid("chinv")}@example.com`);
      const invoice = uid("in");
      await deliver(invoicePaidNew({ invoice, sub: uid("sub"), user }));
      await deliver(
        chargeRefunded({ charge: uid("ch"), pi: uid("pi"), amount: PLAN.amount, refunded: PLAN.amount, invoice }),
      );
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(await purchaseOf(invoice)).toMatchObject({ status: "refunded" });
    });

    it("from 2025-03-31: invoice_payment.paid links the payment intent, and a refund of it reverses the invoice", async () => {
      const user = await createUser(t.db, `${uid("new")}@example.com`);
      const invoice = uid("in");
      const pi = uid("pi");
      await deliver(invoicePaidNew({ invoice, sub: uid("sub"), user }));
      const link = invoicePaymentPaid(invoice, pi);
      await deliver(link);
      expect(await eventRow(link.id)).toMatchObject({ status: "processed", outcome: expect.stringContaining(pi) });

      await deliver(chargeRefunded({ charge: uid("ch"), pi, amount: PLAN.amount, refunded: PLAN.amount }));
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(await purchaseOf(invoice)).toMatchObject({ status: "refunded" });
    });

    it("from 2025-03-31: a dispute delivered before invoice_payment.paid fails, and the sweep applies it once linked", async () => {
      const user = await createUser(t.db, `${uid("early")}@example.com`);
      const invoice = uid("in");
      const pi = uid("pi");
      await deliver(invoicePaidNew({ invoice, sub: uid("sub"), user }));
      const early = dispute("charge.dispute.created", {
        id: uid("dp"),
        charge: uid("ch"),
        pi,
        status: "needs_response",
      });
      await deliver(early);
      expect(await eventRow(early.id)).toMatchObject({
        status: "failed",
        last_error: expect.stringMatching(/purchase not found/),
      });
      expect(await balanceOf(t.db, user)).toBe(PLAN.credits);

      await deliver(invoicePaymentPaid(invoice, pi));
      await sweepDue();
      expect(await eventRow(early.id)).toMatchObject({ status: "processed", attempts: 2 });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("links a payment delivered before its invoice.paid, so the refund still finds the period", async () => {
      const user = await createUser(t.db, `${uid("linkfirst")}@example.com`);
      const invoice = uid("in");
      const pi = uid("pi");
      await deliver(invoicePaymentPaid(invoice, pi));
      await deliver(invoicePaidNew({ invoice, sub: uid("sub"), user }));
      await deliver(chargeRefunded({ charge: uid("ch"), pi, amount: PLAN.amount, refunded: PLAN.amount }));
      expect(await balanceOf(t.db, user)).toBe(0);
    });
  });

  describe("plans: credits per paid period", () => {
    const start = new Date("2030-01-15T10:00:00Z");
    const period1 = { start, end: addMonth(start) };
    const period2 = { start: period1.end, end: addMonth(period1.end) };
    const subscriber = async (planId = PLAN.id): Promise<TestSubscription> => {
      const email = `${uid("plan")}@example.com`;
      return {
        subscriptionId: testId("sub", "test"),
        customerId: testId("cus", "test"),
        userId: await createUser(t.db, email),
        email,
        planId,
        priceId: testId("price", "test"),
        amountMinor: PLAN.amount,
        currency: "usd",
      };
    };
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const paid = (s: TestSubscription, id: string, period = period1, when = at(10)) =>
      invoiceEvent("invoice.paid", s, { id, period, reason: "subscription_create", at: when });

    it("grants the plan's credits once per invoice, however often and concurrently Stripe redelivers it", async () => {
      const s = await subscriber();
      await deliver(subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) }));
      const first = paid(s, testId("in", "test"));
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => deliver(first)), // the same event redelivered
        ...Array.from({ length: 10 }, () => deliver({ ...first, id: uid("evt") })), // other events for the same invoice
      ]);
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);
      expect(await t.count(`purchases where user_id = '${s.userId}'`)).toBe(1);

      await deliver(paid(s, testId("in", "test"), period2, at(40)));
      expect(await balanceOf(t.db, s.userId)).toBe(2 * PLAN.credits);
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({ status: "active", plan_id: PLAN.id });
      expect(new Date((await subscriptionRow(s.subscriptionId)).current_period_end!).getTime()).toBe(
        period2.end.getTime(),
      );
    });

    it("e-mail ownership: a subscription known only by e-mail never links to or pays an unconfirmed account with that address; the confirmation links it and claims the period", async () => {
      const email = `${uid("sub-owner")}@example.com`;
      const squatter = await createUser(t.db, email.toUpperCase(), { confirmed: false });
      const s: TestSubscription = { ...(await subscriber()), userId: "", email }; // made in the Dashboard: no user id
      const created = subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) });
      (created.data.object as { metadata: Record<string, string> }).metadata = { plan_id: PLAN.id, email };
      expect((await deliver(created)).status).toBe(200);
      expect((await subscriptionRow(s.subscriptionId)).user_id).toBeNull();

      expect((await deliver(paid(s, testId("in", "test")))).status).toBe(200);
      expect(await balanceOf(t.db, squatter)).toBe(0);
      expect(await t.count(`pending_credit_grants where email = '${email}' and claimed_at is null`)).toBe(1);

      await confirmEmail(t.db, squatter); // only the owner of the mailbox can do this
      expect(await balanceOf(t.db, squatter)).toBe(PLAN.credits);
      expect((await subscriptionRow(s.subscriptionId)).user_id).toBe(squatter);
      await deliver(paid(s, testId("in", "test"), period2, at(40)));
      expect(await balanceOf(t.db, squatter)).toBe(2 * PLAN.credits);
    });

    it("a confirmation and the subscription's event at the same moment: the subscription ends up linked either way", async () => {
      for (let i = 0; i < 10; i++) {
        const email = `${uid("sub-race")}@example.com`;
        const owner = await createUser(t.db, email, { confirmed: false });
        const s: TestSubscription = { ...(await subscriber()), userId: "", email };
        const created = subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) });
        (created.data.object as { metadata: Record<string, string> }).metadata = { plan_id: PLAN.id, email };
        const [delivered] = await Promise.all([deliver(created), confirmEmail(t.db, owner)]);
        expect(delivered.status).toBe(200);
        expect((await subscriptionRow(s.subscriptionId)).user_id).toBe(owner);
      }
    });

    it("takes the credits from our plan, never from the payload: a credits count in metadata is not read, a known Price wins", async () => {
      const s = await subscriber();
      const event = paid(s, testId("in", "test"));
      const parent = (event.data.object as { parent: { subscription_details: { metadata: Record<string, string> } } })
        .parent;
      parent.subscription_details.metadata.credits = "999999";
      await deliver(event);
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);

      // the team plan's Price, and its price paid (credits follow money: SPEC §7)
      const team = { ...(await subscriber("basic-monthly")), priceId: testId("price", "team"), amountMinor: 6500 };
      await t.db.query("update credit_plans set stripe_price_id = $1 where id = 'team-monthly'", [team.priceId]);
      try {
        await deliver(paid(team, testId("in", "test"))); // metadata still says basic: the Price billed is the team plan's
        expect(await balanceOf(t.db, team.userId)).toBe(2500);
      } finally {
        await t.db.query("update credit_plans set stripe_price_id = null where id = 'team-monthly'");
      }
    });

    it("out of order: invoice.paid before customer.subscription.created grants once and keeps the plan and state", async () => {
      const s = await subscriber();
      const invoice = paid(s, testId("in", "test"), period1, at(1));
      const created = subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) });
      await deliver(invoice);
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({
        status: "active",
        plan_id: PLAN.id,
        user_id: s.userId,
      });

      await deliver(created);
      await deliver(created); // and a duplicate of it
      expect(["processed", "ignored"]).toContain((await eventRow(created.id)).status);
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({
        status: "active",
        plan_id: PLAN.id,
        user_id: s.userId,
      });
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);
    });

    it("invoice.payment_failed: past due with the reason, nothing granted until that invoice is paid, then once", async () => {
      const s = await subscriber();
      await deliver(subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) }));
      await deliver(paid(s, testId("in", "test")));
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);

      const renewal = testId("in", "test");
      const failed = invoiceEvent("invoice.payment_failed", s, {
        id: renewal,
        period: period2,
        reason: "subscription_cycle",
        at: at(100),
      });
      await deliver(failed);
      expect(await eventRow(failed.id)).toMatchObject({
        status: "processed",
        outcome: expect.stringMatching(/renewal failed .*past due, no credits/),
      });
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({
        status: "past_due",
        last_payment_error: expect.stringMatching(/^Attempt 1 failed; Stripe retries on \d{4}-\d{2}-\d{2}$/),
      });
      // Stripe moves the period on even when the renewal fails: still nothing granted
      await deliver(
        subscriptionEvent("customer.subscription.updated", s, period2, { status: "past_due", at: at(101) }),
      );
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);

      await deliver(paid(s, renewal, period2, at(200)));
      expect(await balanceOf(t.db, s.userId)).toBe(2 * PLAN.credits);
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({ status: "active", last_payment_error: null });

      const late = { ...failed, id: uid("evt") }; // a late report of the attempt that failed before the payment
      await deliver(late);
      expect(await eventRow(late.id)).toMatchObject({ status: "ignored" });
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({ status: "active" });
      expect(await balanceOf(t.db, s.userId)).toBe(2 * PLAN.credits);
    });

    it("a refund of one period takes back that period's credits (invoice_payment.paid linked it)", async () => {
      const s = await subscriber();
      const invoice = testId("in", "test");
      const pi = testId("pi", "test");
      await deliver(paid(s, invoice));
      await deliver(invoicePaymentPaid(invoice, pi));
      await deliver(
        chargeRefunded({ charge: testId("ch", "test"), pi, amount: PLAN.amount, refunded: PLAN.amount / 4 }),
      );
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits - PLAN.credits / 4);
    });

    it("cancel: cancel_at_period_end, then deleted; the subscription ends and nothing more is granted", async () => {
      const s = await subscriber();
      await deliver(subscriptionEvent("customer.subscription.created", s, period1, { status: "active", at: at(0) }));
      await deliver(paid(s, testId("in", "test")));
      await deliver(
        subscriptionEvent("customer.subscription.updated", s, period1, {
          status: "active",
          cancelAtPeriodEnd: true,
          at: at(50),
        }),
      );
      expect(
        (
          await t.db.query<{ cancel_at_period_end: boolean }>(
            "select cancel_at_period_end from subscriptions where external_id = $1",
            [s.subscriptionId],
          )
        )[0].cancel_at_period_end,
      ).toBe(true);
      await deliver(
        subscriptionEvent("customer.subscription.deleted", s, period1, {
          status: "canceled",
          cancelAtPeriodEnd: true,
          at: at(60),
        }),
      );
      expect(await subscriptionRow(s.subscriptionId)).toMatchObject({ status: "canceled" });
      expect(await balanceOf(t.db, s.userId)).toBe(PLAN.credits);
    });
  });
});
