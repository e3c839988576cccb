/**
 * The 71 real Stripe payloads in tests/fixtures/stripe-events (API versions
 * 2020-03-02 to 2023-10-16), through the real route on both targets:
 * - each one as Stripe sent it, with the outcome written down per type
 *   (status, and the outcome or error the admin sees) — none of them names a
 *   pack or one of our users, so none may write a purchase, ledger row or grant;
 * - the money-moving ones again with our buyer and pack put in (the only
 *   change), to show grant, redelivery, refund (partial then full, cumulative),
 *   dispute and reinstatement, with the balance after each.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, signedRequest, uid } from "../helpers/stripe";

const FIXTURES = path.resolve(__dirname, "../fixtures/stripe-events");

type Expected = { status: "processed" | "ignored" | "failed"; says: RegExp };

/** What each real payload must do as sent. Types not listed here are unhandled: ignored, answered 200. */
const HANDLED: Record<string, Expected> = {
  // paid, but its metadata names no pack or credits: visible to the admin, retryable once the pack exists
  "checkout_session_completed.json": { status: "failed", says: /^unknown package/ },
  // refund / dispute of a payment we never sold: out of order as far as we know, so failed and retried
  "charge_refunded.json": {
    status: "failed",
    says: /^purchase not found: stripe pi_3Kl36gJDPojXS6LN02fQVtKR \/ ch_3Kl36gJDPojXS6LN0DCM4A8l \/ in_1KJdKkJDPojXS6LNSwSWkZSN$/,
  },
  // (looked up by payment intent, then by charge: a subscription period's payment is linked by either)
  "charge_dispute_created.json": {
    status: "failed",
    says: /^purchase not found: stripe pi_1IqtG9JDPojXS6LNOGnYrIqq \/ ch_1IqtGAJDPojXS6LNstgEfUji$/,
  },
  // closed but not won: nothing to reinstate
  "charge_dispute_closed.json": { status: "processed", says: /closed as warning_needs_response; credits unchanged/ },
  // a PaymentIntent without credit metadata is not an Elements purchase (Checkout grants it)
  "payment_intent_succeeded.json": { status: "ignored", says: /without credits metadata/ },
  "payment_intent_payment_failed.json": { status: "processed", says: /^payment failed: / },
  // subscription invoice whose plan names no pack
  "invoice_paid.json": {
    status: "failed",
    says: /^unknown package: invoice in_1KJqKBJDPojXS6LNJbvLUgEy names no plan/,
  },
  // the payment of a subscription invoice (API 2025-03-31+): linked so that a refund or dispute of it reverses that period
  "invoice_payment_paid.json": {
    status: "processed",
    says: /^payment pi_103Q0w2eZvKYlo2C364X582Z linked to in_103Q0w2eZvKYlo2C5PYwf6Wf/,
  },
  "subscription_created.json": { status: "processed", says: /^subscription sub_JdIzvfy6o5GZRd is active$/ },
  "subscription_deleted.json": { status: "processed", says: /^subscription sub_JdIzvfy6o5GZRd is canceled$/ },
  "subscription_updated.json": { status: "processed", says: /^subscription sub_JLEPMp81LApOJl is active$/ },
};

const fixtureFiles = () =>
  fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort();
const readFixture = (file: string) =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as {
    id: string;
    type: string;
    data: { object: Record<string, unknown> };
  };

describe.each(targets)("real Stripe fixtures on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));

  /** Delivers a (changed) fixture under a fresh event id (the files share ids); returns the event row. */
  async function deliver(event: { id: string }) {
    event.id = uid("evt");
    const response = await POST(signedRequest(event));
    expect(response.status).toBe(200);
    return (await t.eventRow("stripe", event.id))!;
  }
  const purchaseStatus = async (externalId: string) =>
    (
      await t.db.query<{ status: string }>(
        "select status from purchases where provider = 'stripe' and external_id = $1",
        [externalId],
      )
    )[0]?.status;

  it("answers each of the 71 payloads as sent with the outcome written down for its type, writing no money row", async () => {
    const files = fixtureFiles();
    expect(files).toHaveLength(71);
    expect(files.filter((f) => HANDLED[f] === undefined)).toHaveLength(60);
    const before = await t.businessRows();
    for (const file of files) {
      const fixture = readFixture(file);
      const row = await deliver(fixture);
      const expected = HANDLED[file] ?? {
        status: "ignored",
        says: new RegExp(`^unhandled event type ${fixture.type.replace(/\./g, "\\.")}$`),
      };
      expect({ file, status: row.status }).toEqual({ file, status: expected.status });
      expect(row.status === "failed" ? row.last_error : row.outcome, file).toMatch(expected.says);
      expect(row.attempts, file).toBe(1);
    }
    const after = await t.businessRows();
    expect({ purchases: after.purchases, ledger: after.ledger, pending: after.pending }).toEqual({
      purchases: before.purchases,
      ledger: before.ledger,
      pending: before.pending,
    });
    expect(after.events - before.events).toBe(71);
    const subscriptions = await t.db.query<{ external_id: string; status: string }>(
      "select external_id, status from subscriptions where external_id in ('sub_JdIzvfy6o5GZRd', 'sub_JLEPMp81LApOJl') order by external_id",
    );
    expect(subscriptions).toEqual([
      { external_id: "sub_JLEPMp81LApOJl", status: "active" },
      { external_id: "sub_JdIzvfy6o5GZRd", status: "canceled" },
    ]);
  });

  it("grants, dedupes, refunds a third then the rest, with the balance after each (real payloads, our buyer put in)", async () => {
    const buyer = await createUser(t.db, `${uid("fixture")}@example.com`);
    const paymentIntent = uid("pi");

    const checkout = readFixture("checkout_session_completed.json");
    Object.assign(checkout.data.object, {
      payment_intent: paymentIntent,
      client_reference_id: buyer,
      metadata: { package_id: "pro" },
    });
    expect(await deliver(checkout)).toMatchObject({
      status: "processed",
      outcome: expect.stringMatching(/granted 550 credits/),
    });
    expect(await balanceOf(t.db, buyer)).toBe(550);
    expect(await purchaseStatus(paymentIntent)).toBe("completed");

    // The same payment's PaymentIntent event (Elements-style metadata): one payment, one grant.
    const succeeded = readFixture("payment_intent_succeeded.json");
    Object.assign(succeeded.data.object, { id: paymentIntent, metadata: { package_id: "pro", user_id: buyer } });
    expect((await deliver(succeeded)).status).toBe("processed");
    expect(await balanceOf(t.db, buyer)).toBe(550);

    // The charge of that payment (999 cents), 333 refunded: 550 × 333 / 999 = 183.3, rounded down to 183 credits back.
    const charge = { payment_intent: paymentIntent, amount: 999, amount_captured: 999 };
    const partial = readFixture("charge_refunded.json");
    Object.assign(partial.data.object, { ...charge, amount_refunded: 333, refunded: false });
    expect((await deliver(partial)).status).toBe("processed");
    expect(await balanceOf(t.db, buyer)).toBe(367);
    expect(await purchaseStatus(paymentIntent)).toBe("partially_refunded");

    // Then fully refunded (as the fixture is): cumulative, so only the remaining 367 go.
    const full = readFixture("charge_refunded.json");
    Object.assign(full.data.object, { ...charge, amount_refunded: 999 });
    expect((await deliver(full)).status).toBe("processed");
    expect(await balanceOf(t.db, buyer)).toBe(0);
    expect(await purchaseStatus(paymentIntent)).toBe("refunded");

    const kinds = await t.db.query<{ kind: string; delta: string }>(
      "select kind, delta::text from credit_ledger where user_id = $1 order by created_at, delta desc",
      [buyer],
    );
    expect(kinds).toEqual([
      { kind: "purchase", delta: "550" },
      { kind: "refund", delta: "-183" },
      { kind: "refund", delta: "-367" },
    ]);
  });

  it("reverses on dispute and reinstates when the dispute is won (real payloads, our buyer put in)", async () => {
    const buyer = await createUser(t.db, `${uid("disputed")}@example.com`);
    const paymentIntent = uid("pi");
    const checkout = readFixture("checkout_session_completed.json");
    Object.assign(checkout.data.object, {
      payment_intent: paymentIntent,
      client_reference_id: buyer,
      metadata: { package_id: "starter" },
    });
    await deliver(checkout);
    expect(await balanceOf(t.db, buyer)).toBe(100);

    const created = readFixture("charge_dispute_created.json");
    Object.assign(created.data.object, { payment_intent: paymentIntent });
    expect((await deliver(created)).status).toBe("processed");
    expect(await balanceOf(t.db, buyer)).toBe(0);
    expect(await purchaseStatus(paymentIntent)).toBe("disputed");

    // closed, still warning_needs_response as in the fixture: nothing changes
    const pending = readFixture("charge_dispute_closed.json");
    Object.assign(pending.data.object, { payment_intent: paymentIntent });
    expect(await deliver(pending)).toMatchObject({
      status: "processed",
      outcome: expect.stringMatching(/credits unchanged/),
    });
    expect(await balanceOf(t.db, buyer)).toBe(0);

    const won = readFixture("charge_dispute_closed.json");
    Object.assign(won.data.object, { payment_intent: paymentIntent, status: "won" });
    expect((await deliver(won)).status).toBe("processed");
    expect(await balanceOf(t.db, buyer)).toBe(100);
    expect(await purchaseStatus(paymentIntent)).toBe("completed");
  });
});
