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
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, signedRequest, stripeEvent, uid } from "../helpers/stripe";

const FIXTURES = path.resolve(__dirname, "../fixtures/stripe-events");
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));

/** The seeded monthly plan (supabase/migrations/*_credit_plans.sql). */
const PLAN = { id: "basic-monthly", credits: 600, amount: 2000 };

describe.each(targets)("Stripe subscriptions on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, CRON_SECRET: "cron-secret-for-tests" }));
  const eventRow = (eventId: string) => t.eventRow("stripe", eventId).then((row) => row!);
  const deliver = async (event: object) => {
    const response = await POST(signedRequest(event));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sweepDue = async () => {
    await t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where status = 'failed'");
    const res = await cronSweep(new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer cron-secret-for-tests" } }));
    expect(res.status).toBe(200);
  };
  const subscriptionRow = async (sub: string) =>
    (
      await t.db.query<{ status: string; plan_id: string | null; user_id: string | null; last_payment_error: string | null; current_period_end: Date | null }>(
        "select status, plan_id, user_id, last_payment_error, current_period_end from subscriptions where external_id = $1",
        [sub],
      )
    )[0];
  const purchaseOf = async (externalId: string) =>
    (await t.db.query<{ status: string; credits: string }>("select status, credits from purchases where external_id = $1", [externalId]))[0];

  /** An invoice.paid as API 2025-03-31 and later send it: no payment_intent / charge on the invoice. */
  const invoicePaidNew = (a: { invoice: string; sub: string; user: string; amount?: number; periodEnd?: number; created?: number }) =>
    stripeEvent(
      "invoice.paid",
      {
        id: a.invoice, object: "invoice", status: "paid", amount_paid: a.amount ?? PLAN.amount, currency: "usd", customer: "cus_x", customer_email: null,
        metadata: {},
        parent: { type: "subscription_details", subscription_details: { subscription: a.sub, metadata: { plan_id: PLAN.id, user_id: a.user } } },
        lines: { object: "list", data: [{ id: uid("il"), object: "line_item", period: { start: (a.periodEnd ?? 1900000000) - 2592000, end: a.periodEnd ?? 1900000000 }, metadata: {} }] },
      },
      a.created ? { created: a.created } : {},
    );
  /** An invoice.paid as API versions before 2025-03-31 send it: the payment on the invoice itself. */
  const invoicePaidOld = (a: { invoice: string; sub: string; user: string; pi: string | null; charge: string | null; amount?: number }) =>
    stripeEvent(
      "invoice.paid",
      {
        id: a.invoice, object: "invoice", status: "paid", amount_paid: a.amount ?? PLAN.amount, currency: "usd", customer: "cus_x", customer_email: null,
        subscription: a.sub, payment_intent: a.pi, charge: a.charge, metadata: {},
        lines: { object: "list", data: [{ id: uid("il"), object: "line_item", type: "subscription", subscription: a.sub, period: { start: 1, end: 1900000000 }, metadata: { plan_id: PLAN.id, user_id: a.user } }] },
      },
      { api_version: "2022-11-15" },
    );
  /** invoice_payment.paid (API 2025-03-31 and later), shaped like the real fixture. */
  const invoicePaymentPaid = (invoice: string, pi: string) => {
    const event = fixture("invoice_payment_paid.json");
    event.id = uid("evt");
    event.created = Math.floor(Date.now() / 1000);
    Object.assign(event.data.object, { id: uid("inpay"), invoice, payment: { type: "payment_intent", payment_intent: pi } });
    return event;
  };
  /** charge.refunded shaped like the real fixture, for this payment. */
  const chargeRefunded = (a: { charge: string; pi: string | null; amount: number; refunded: number; invoice?: string | null }) => {
    const event = fixture("charge_refunded.json");
    event.id = uid("evt");
    event.created = Math.floor(Date.now() / 1000);
    Object.assign(event.data.object, { id: a.charge, payment_intent: a.pi, amount: a.amount, amount_refunded: a.refunded, invoice: a.invoice ?? null });
    return event;
  };
  const dispute = (type: string, a: { id: string; charge: string; pi: string | null; status: string }) =>
    stripeEvent(type, { id: a.id, object: "dispute", amount: PLAN.amount, charge: a.charge, payment_intent: a.pi, status: a.status });

  describe("refunds and disputes of a period's payment", () => {
    it("before 2025-03-31: a refund of invoice.payment_intent takes back that period's credits only", async () => {
      const user = await createUser(t.db, `${uid("old")}@example.com`);
      const sub = uid("sub");
      const first = { invoice: uid("in"), pi: uid("pi"), charge: uid("ch") };
      const second = { invoice: uid("in"), pi: uid("pi"), charge: uid("ch") };
      await deliver(invoicePaidOld({ ...first, sub, user }));
      await deliver(invoicePaidOld({ ...second, sub, user }));
      expect(await balanceOf(t.db, user)).toBe(2 * PLAN.credits);

      const refund = chargeRefunded({ charge: second.charge, pi: second.pi, amount: PLAN.amount, refunded: PLAN.amount / 2 });
      await deliver(refund);
      expect(await eventRow(refund.id)).toMatchObject({ status: "processed", outcome: expect.stringMatching(/took back 300 credits/) });
      expect(await balanceOf(t.db, user)).toBe(2 * PLAN.credits - 300);
      expect(await purchaseOf(second.invoice)).toMatchObject({ status: "partially_refunded" });
      expect(await purchaseOf(first.invoice)).toMatchObject({ status: "completed" });
    });

    it("before 2025-03-31: a dispute naming only invoice.charge takes the period back, and gives it back when won", async () => {
      const user = await createUser(t.db, `${uid("oldchg")}@example.com`);
      const paid = { invoice: uid("in"), pi: null, charge: uid("ch") };
      await deliver(invoicePaidOld({ ...paid, sub: uid("sub"), user }));
      const dp = uid("dp");
      await deliver(dispute("charge.dispute.created", { id: dp, charge: paid.charge, pi: null, status: "needs_response" }));
      expect(await balanceOf(t.db, user)).toBe(0);
      expect(await purchaseOf(paid.invoice)).toMatchObject({ status: "disputed" });
      await deliver(dispute("charge.dispute.closed", { id: dp, charge: paid.charge, pi: null, status: "won" }));
      expect(await balanceOf(t.db, user)).toBe(PLAN.credits);
    });

    it("a charge that names its invoice (older API versions) is refunded against that invoice", async () => {
      const user = await createUser(t.db, `${uid("chinv")}@example.com`);
      const invoice = uid("in");
      await deliver(invoicePaidNew({ invoice, sub: uid("sub"), user }));
      await deliver(chargeRefunded({ charge: uid("ch"), pi: uid("pi"), amount: PLAN.amount, refunded: PLAN.amount, invoice }));
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
      const early = dispute("charge.dispute.created", { id: uid("dp"), charge: uid("ch"), pi, status: "needs_response" });
      await deliver(early);
      expect(await eventRow(early.id)).toMatchObject({ status: "failed", last_error: expect.stringMatching(/purchase not found/) });
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
});
