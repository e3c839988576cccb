/**
 * Subscription credits follow money (SPEC §7; issue 26, item 4), through the
 * real Stripe webhook route, in both API eras (lines with `price` / `plan` and
 * invoice.subscription before 2025-03-31; `pricing.price_details` and
 * invoice.parent from it):
 * - a period's invoice (subscription_create / subscription_cycle) grants the
 *   plan's credits_per_period only when it paid at least the plan's price in
 *   the plan's currency;
 * - a proration invoice (subscription_update) grants
 *   floor(credits_per_period × amount_paid / plan price) of the plan switched
 *   to, never more than one period; its refund reverses what it granted;
 * - an invoice that paid 0 grants nothing and is recorded as ignored with the
 *   reason (a trial, a 100 % coupon, a customer balance, a downgrade);
 * - with several prices on one invoice, the plan is the largest positive line's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, signedRequest, stripeEvent, uid } from "../helpers/stripe";

const BASIC = { id: "basic-monthly", credits: 600, amount: 2000 };
const TEAM = { id: "team-monthly", credits: 2500, amount: 6500 };

type Era = "before 2025-03-31" | "from 2025-03-31";
const ERAS: Era[] = ["before 2025-03-31", "from 2025-03-31"];

interface Line {
  price: string;
  amount: number;
  proration?: boolean;
}

interface Invoice {
  era: Era;
  id?: string;
  sub: string;
  user: string;
  reason: string;
  paid: number;
  currency?: string;
  lines: Line[];
  /** what our checkout put in the subscription's metadata (the plan first subscribed to) */
  planId?: string;
  /** before 2025-03-31: the payment intent on the invoice itself */
  pi?: string;
}

/** invoice.paid as each API era sends it. */
function invoicePaid(inv: Invoice) {
  const id = inv.id ?? uid("in");
  const metadata = { plan_id: inv.planId ?? BASIC.id, user_id: inv.user };
  const period = { start: 1_900_000_000, end: 1_902_592_000 };
  const common = {
    id,
    object: "invoice",
    status: "paid",
    billing_reason: inv.reason,
    amount_paid: inv.paid,
    currency: inv.currency ?? "usd",
    customer: "cus_money",
    customer_email: null,
    metadata: {},
  };
  if (inv.era === "before 2025-03-31") {
    return stripeEvent(
      "invoice.paid",
      {
        ...common,
        subscription: inv.sub,
        payment_intent: inv.pi ?? null,
        charge: null,
        lines: {
          object: "list",
          data: inv.lines.map((l) => ({
            id: uid("il"),
            object: "line_item",
            type: "subscription",
            subscription: inv.sub,
            amount: l.amount,
            currency: inv.currency ?? "usd",
            proration: l.proration ?? false,
            price: { id: l.price, object: "price" },
            plan: { id: l.price, object: "plan" },
            period,
            metadata,
          })),
        },
      },
      { api_version: "2022-11-15" },
    );
  }
  return stripeEvent(
    "invoice.paid",
    {
      ...common,
      parent: { type: "subscription_details", subscription_details: { subscription: inv.sub, metadata } },
      lines: {
        object: "list",
        data: inv.lines.map((l) => ({
          id: uid("il"),
          object: "line_item",
          amount: l.amount,
          currency: inv.currency ?? "usd",
          pricing: { type: "price_details", price_details: { price: l.price, product: "prod_x" } },
          parent: {
            type: "subscription_item_details",
            subscription_item_details: { proration: l.proration ?? false, subscription: inv.sub },
          },
          period,
          metadata: {},
        })),
      },
    },
    { api_version: "2025-03-31.basil" },
  );
}

describe.each(targets)("subscription credits follow money on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  const price = { basic: uid("price_basic"), team: uid("price_team") };
  beforeAll(async () => {
    await t.db.query("update credit_plans set stripe_price_id = $1 where id = $2", [price.basic, BASIC.id]);
    await t.db.query("update credit_plans set stripe_price_id = $1 where id = $2", [price.team, TEAM.id]);
  });
  afterAll(async () => {
    await t.db.query("update credit_plans set stripe_price_id = null where id in ($1, $2)", [BASIC.id, TEAM.id]);
  });

  const deliver = async (event: { id: string }) => {
    const response = await POST(signedRequest(event));
    expect(response.status).toBe(200);
    return (await t.eventRow("stripe", event.id))!;
  };
  const subscriber = async () => ({ user: await createUser(t.db, `${uid("money")}@example.com`), sub: uid("sub") });

  describe.each(ERAS)("%s", (era) => {
    it("a $0 subscription_create (trial, 100 % coupon, customer balance) grants nothing: ignored with the reason", async () => {
      const s = await subscriber();
      const row = await deliver(
        invoicePaid({ era, ...s, reason: "subscription_create", paid: 0, lines: [{ price: price.basic, amount: 0 }] }),
      );
      expect(row).toMatchObject({ status: "ignored", outcome: expect.stringMatching(/paid 0.*no credits/) });
      expect(await balanceOf(t.db, s.user)).toBe(0);
      expect(await t.count(`purchases where user_id = '${s.user}'`)).toBe(0);
      // the subscription itself is still kept (it is real, just not paid for yet)
      expect(await t.count(`subscriptions where external_id = '${s.sub}' and plan_id = '${BASIC.id}'`)).toBe(1);
    });

    it("a period's invoice grants the plan's credits only when it paid at least the price, in the plan's currency", async () => {
      const s = await subscriber();
      const short = await deliver(
        invoicePaid({
          era,
          ...s,
          reason: "subscription_create",
          paid: 1999,
          lines: [{ price: price.basic, amount: 2000 }],
        }),
      );
      expect(short).toMatchObject({ status: "ignored", outcome: expect.stringMatching(/paid 1999 usd.*2000 usd/) });
      const euros = await deliver(
        invoicePaid({
          era,
          ...s,
          reason: "subscription_cycle",
          paid: 2000,
          currency: "eur",
          lines: [{ price: price.basic, amount: 2000 }],
        }),
      );
      expect(euros).toMatchObject({ status: "ignored", outcome: expect.stringMatching(/eur.*usd/) });
      expect(await balanceOf(t.db, s.user)).toBe(0);

      const withTax = await deliver(
        invoicePaid({
          era,
          ...s,
          reason: "subscription_cycle",
          paid: 2200,
          lines: [{ price: price.basic, amount: 2000 }],
        }),
      );
      expect(withTax).toMatchObject({ status: "processed" });
      expect(await balanceOf(t.db, s.user)).toBe(BASIC.credits);
    });

    it("a mid-period upgrade's proration invoice that paid 100 cents grants floor(2500 × 100 / 6500) = 38 credits of the plan switched to", async () => {
      const s = await subscriber();
      const row = await deliver(
        invoicePaid({
          era,
          ...s,
          reason: "subscription_update",
          paid: 100,
          lines: [
            { price: price.basic, amount: -1000, proration: true },
            { price: price.team, amount: 1100, proration: true },
          ],
        }),
      );
      expect(row).toMatchObject({ status: "processed", outcome: expect.stringMatching(/38 credits.*team-monthly/) });
      expect(await balanceOf(t.db, s.user)).toBe(38);
    });

    it("a proration invoice never grants more than one period of the plan", async () => {
      const s = await subscriber();
      await deliver(
        invoicePaid({
          era,
          ...s,
          reason: "subscription_update",
          paid: 13_000,
          lines: [{ price: price.team, amount: 13_000 }],
        }),
      );
      expect(await balanceOf(t.db, s.user)).toBe(TEAM.credits);
    });

    it("a downgrade's $0 proration invoice grants nothing: ignored with the reason", async () => {
      const s = await subscriber();
      const row = await deliver(
        invoicePaid({
          era,
          ...s,
          planId: TEAM.id,
          reason: "subscription_update",
          paid: 0,
          lines: [
            { price: price.team, amount: -3250, proration: true },
            { price: price.basic, amount: 1000, proration: true },
          ],
        }),
      );
      expect(row).toMatchObject({ status: "ignored", outcome: expect.stringMatching(/paid 0/) });
      expect(await balanceOf(t.db, s.user)).toBe(0);
    });

    it("with several prices the plan is the largest positive line's, whatever the metadata says", async () => {
      const s = await subscriber();
      await deliver(
        invoicePaid({
          era,
          ...s,
          planId: BASIC.id,
          reason: "subscription_create",
          paid: 8500,
          lines: [
            { price: price.basic, amount: 2000 },
            { price: price.team, amount: 6500 },
          ],
        }),
      );
      expect(await balanceOf(t.db, s.user)).toBe(TEAM.credits);

      const other = await subscriber();
      await deliver(
        invoicePaid({
          era,
          ...other,
          planId: TEAM.id,
          reason: "subscription_create",
          paid: 2000,
          lines: [
            { price: price.team, amount: -6500 },
            { price: price.basic, amount: 2000 },
            { price: price.team, amount: 6500 - 6500 },
          ],
        }),
      );
      expect(await balanceOf(t.db, other.user)).toBe(BASIC.credits);
    });

    it("grants a proration once when Stripe redelivers it 40 times concurrently", async () => {
      const s = await subscriber();
      const event = invoicePaid({
        era,
        ...s,
        reason: "subscription_update",
        paid: 650,
        lines: [{ price: price.team, amount: 650, proration: true }],
      });
      const copies = await Promise.all(
        Array.from({ length: 40 }, (_, i) => POST(signedRequest(i % 2 ? event : { ...event, id: uid("evt") }))),
      );
      expect(copies.every((r) => r.status === 200)).toBe(true);
      expect(await balanceOf(t.db, s.user)).toBe(250);
    });
  });

  it("before 2025-03-31: a refund of a proration invoice's payment intent reverses what it granted", async () => {
    const s = await subscriber();
    const pi = uid("pi");
    await deliver(
      invoicePaid({
        era: "before 2025-03-31",
        ...s,
        pi,
        reason: "subscription_update",
        paid: 100,
        lines: [{ price: price.team, amount: 100, proration: true }],
      }),
    );
    expect(await balanceOf(t.db, s.user)).toBe(38);
    const refund = stripeEvent("charge.refunded", {
      id: uid("ch"),
      object: "charge",
      amount: 100,
      amount_refunded: 100,
      payment_intent: pi,
      invoice: null,
      billing_details: { email: null },
    });
    expect(await deliver(refund)).toMatchObject({ status: "processed" });
    expect(await balanceOf(t.db, s.user)).toBe(0);
  });

  it("from 2025-03-31: a half refund of a proration invoice (linked by invoice_payment.paid) reverses half of what it granted", async () => {
    const s = await subscriber();
    const invoice = uid("in");
    const pi = uid("pi");
    await deliver(
      invoicePaid({
        era: "from 2025-03-31",
        id: invoice,
        ...s,
        reason: "subscription_update",
        paid: 100,
        lines: [{ price: price.team, amount: 100, proration: true }],
      }),
    );
    await deliver(
      stripeEvent("invoice_payment.paid", {
        id: uid("inpay"),
        object: "invoice_payment",
        invoice,
        payment: { type: "payment_intent", payment_intent: pi },
      }),
    );
    const refund = stripeEvent("charge.refunded", {
      id: uid("ch"),
      object: "charge",
      amount: 100,
      amount_refunded: 50,
      payment_intent: pi,
      billing_details: { email: null },
    });
    await deliver(refund);
    expect(await balanceOf(t.db, s.user)).toBe(38 - 19);
  });
});
