/**
 * The seam between TypeScript and SQL (lib/db/actions.ts): every action
 * builder writes exactly the keys its webhook_action_* function reads, read
 * off the function bodies of the migrated database (the same reading as
 * `npm run db:types`, scripts/db/types-generator.ts), so a key renamed on
 * either side fails here, as in tsc, instead of reading as null.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_BUILDERS, type ActionName, type WebhookAction } from "@/lib/db/actions";
import { webhookActionKeys } from "@/scripts/db/types-generator";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";

/** One call of every builder, with every input given (a new builder without a sample does not compile). */
const SAMPLES: { [N in ActionName]: WebhookAction & { action: N } } = {
  none: ACTION_BUILDERS.none("processed", "recorded"),
  fail: ACTION_BUILDERS.fail("reason"),
  grant: ACTION_BUILDERS.grant({
    provider: "stripe",
    externalId: "pi_1",
    userId: null,
    email: "a@example.com",
    packageId: "starter",
    credits: null,
    amountMinor: 500,
    currency: "usd",
    eventId: "evt_1",
  }),
  reverse: ACTION_BUILDERS.reverse({
    provider: "paystack",
    externalId: "ref_1",
    kind: "dispute",
    reference: "1",
    refundedMinor: null,
  }),
  reverse_payment: ACTION_BUILDERS.reverse_payment({
    provider: "stripe",
    paymentIds: ["pi_1", "ch_1"],
    kind: "refund",
    reference: "ch_1",
    refundedMinor: 100,
  }),
  link_payment: ACTION_BUILDERS.link_payment({
    provider: "stripe",
    externalId: "in_1",
    paymentIds: ["pi_1"],
    eventId: "evt_1",
  }),
  subscription: ACTION_BUILDERS.subscription({
    provider: "stripe",
    externalId: "sub_1",
    status: "active",
    customerId: "cus_1",
    userId: null,
    email: null,
    planId: "pro",
    priceIds: ["price_1"],
    packageId: null,
    creditsPerPeriod: null,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    eventAt: null,
  }),
  subscription_invoice_paid: ACTION_BUILDERS.subscription_invoice_paid({
    invoiceId: "in_1",
    subscriptionId: "sub_1",
    customerId: "cus_1",
    userId: null,
    email: null,
    planId: "pro",
    priceIds: ["price_1"],
    packageId: null,
    credits: null,
    billingReason: "subscription_cycle",
    lines: [{ price: "price_1", amount: 900 }],
    amountMinor: 900,
    currency: "usd",
    paymentIds: [],
    periodEnd: null,
    eventAt: null,
    eventId: "evt_1",
  }),
  subscription_payment_failed: ACTION_BUILDERS.subscription_payment_failed({
    invoiceId: "in_1",
    subscriptionId: "sub_1",
    customerId: "cus_1",
    userId: null,
    email: null,
    planId: null,
    priceIds: [],
    reason: "card declined",
    eventAt: null,
  }),
  paystack_charge: ACTION_BUILDERS.paystack_charge({
    externalId: "ref_1",
    userId: null,
    email: null,
    packageId: "starter",
    amountMinor: 500,
    currency: "ngn",
    eventId: "evt_1",
  }),
  paystack_refund: ACTION_BUILDERS.paystack_refund({ externalId: "ref_1", refundId: "rf_1", amountMinor: 100 }),
  fireblocks_transfer: ACTION_BUILDERS.fireblocks_transfer({
    txId: "tx_1",
    address: "0xabc",
    assetId: "ETH",
    sourceType: "EXTERNAL_WALLET",
    amount: "0.1",
    amountUsd: null,
    eventId: "evt_1",
  }),
  invoice_update: ACTION_BUILDERS.invoice_update({
    invoiceId: "inv_1",
    state: "Complete",
    eventAt: null,
    cashAmount: 10,
    cryptoAmount: "0.001",
    reason: null,
    receivedAmount: null,
    expectedAmount: null,
    eventId: "evt_1",
  }),
  trading_alert: ACTION_BUILDERS.trading_alert({
    eventId: "evt_1",
    ticker: "BTCUSD",
    side: "buy",
    message: null,
    payload: {},
  }),
  grant_save_card: ACTION_BUILDERS.grant_save_card({
    provider: "stripe",
    externalId: "pi_1",
    userId: "00000000-0000-4000-8000-000000000001",
    email: null,
    packageId: "starter",
    credits: null,
    amountMinor: 500,
    currency: "usd",
    eventId: "evt_1",
    customerId: "cus_1",
    paymentMethodId: null,
    testCard: false,
  }),
  topup_succeeded: ACTION_BUILDERS.topup_succeeded({
    topupId: "00000000-0000-4000-8000-000000000002",
    externalId: "pi_1",
    userId: null,
    packageId: "starter",
    amountMinor: 500,
    currency: "usd",
    eventId: "evt_1",
  }),
  topup_failed: ACTION_BUILDERS.topup_failed({
    topupId: "00000000-0000-4000-8000-000000000002",
    externalId: "pi_1",
    reason: "Your card was declined.",
    code: "card_declined",
  }),
};

describe("the action seam (lib/db/actions.ts ↔ webhook_action_* functions)", () => {
  let t: TestDatabase;
  let defs: Map<string, string>;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    const rows = await t.db.query<{ name: string; def: string }>(
      `select substr(p.proname, length('webhook_action_') + 1) as name, p.prosrc as def
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname like 'webhook\\_action\\_%'
          and pg_get_function_identity_arguments(p.oid) = 'p_args jsonb'`,
    );
    defs = new Map(rows.map((r) => [r.name, r.def]));
  });
  afterAll(async () => t?.drop());

  it("has one builder per webhook_action_* function, and no builder without one", () => {
    expect(Object.keys(ACTION_BUILDERS).sort()).toEqual([...defs.keys()].sort());
  });

  it.each(Object.keys(SAMPLES) as ActionName[])(
    "%s: the builder writes exactly the keys its function reads",
    (name) => {
      const sample = SAMPLES[name];
      expect(sample.action).toBe(name);
      expect(Object.keys(sample.args).sort()).toEqual([...webhookActionKeys(name, defs).keys()].sort());
    },
  );

  it("reaches every action by a static call in private.run_webhook_action (no EXECUTE)", async () => {
    const [{ def }] = await t.db.query<{ def: string }>(
      "select pg_get_functiondef('private.run_webhook_action(text, jsonb)'::regprocedure) as def",
    );
    const calls = [...def.matchAll(/when '(\w+)' then return public\.webhook_action_(\w+)\(v_args\);/g)];
    expect(calls.every(([, name, fn]) => name === fn)).toBe(true);
    expect(calls.map(([, name]) => name).sort()).toEqual([...defs.keys()].sort());
    expect(def).not.toMatch(/\bexecute\b/i);
  });

  it("reads hand-offs: paystack_charge passes its arguments on to grant without credits", () => {
    expect([...webhookActionKeys("paystack_charge", defs).keys()].sort()).toEqual(
      [...webhookActionKeys("grant", defs).keys()].filter((k) => k !== "credits").sort(),
    );
  });

  it("names, in each builder's JSDoc, the schema file that defines its function", () => {
    const source = fs.readFileSync(path.join(process.cwd(), "lib/db/actions.ts"), "utf8");
    for (const name of Object.keys(ACTION_BUILDERS)) {
      const doc = new RegExp(`\`webhook_action_${name}\`[^]*?@sql (supabase/schemas/\\S+)`).exec(source);
      expect(doc, `JSDoc of webhook_action_${name}`).not.toBeNull();
      expect(fs.readFileSync(path.join(process.cwd(), doc![1]), "utf8")).toContain(
        `create function public.webhook_action_${name}(p_args jsonb)`,
      );
    }
  });
});
