/** Every malformed call of a money function raises a clear error and writes no business row. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { balanceOf, createUser, openTestDatabase, targets, type TestDatabase } from "../helpers/databases";
import { expectDatabaseError, rowCounts, type RowCounts } from "../helpers/sql-assertions";

const unique = () => randomUUID().slice(0, 8);

interface BadCall {
  name: string;
  fn: string;
  args: (ctx: { user: string; externalId: string }) => Record<string, unknown>;
  code: string;
  message: RegExp;
}

const grant = (over: Record<string, unknown>) => (ctx: { user: string }) => ({
  p_provider: "stripe",
  p_external_id: `pi_bad_${unique()}`,
  p_user_id: ctx.user,
  p_email: null,
  p_credits: 100,
  p_amount_minor: 1000,
  p_currency: "usd",
  ...over,
});
const reverse = (over: Record<string, unknown>) => (ctx: { externalId: string }) => ({
  p_provider: "stripe",
  p_external_id: ctx.externalId,
  p_kind: "refund",
  p_reference: "ch_bad",
  p_refunded_minor: 500,
  ...over,
});
const spend = (over: Record<string, unknown>) => (ctx: { user: string }) => ({
  p_user_id: ctx.user,
  p_amount: 10,
  p_idempotency_key: "key",
  ...over,
});
const ingest = (over: Record<string, unknown>) => () => ({
  p_provider: "stripe",
  p_event_id: `evt_bad_${unique()}`,
  p_event_type: "test.bad",
  p_payload: {},
  p_action: "none",
  p_args: {},
  ...over,
});

const BAD_CALLS: BadCall[] = [
  {
    name: "zero credits",
    fn: "grant_credits_for_purchase",
    args: grant({ p_credits: 0 }),
    code: "22023",
    message: /^credits must be positive$/,
  },
  {
    name: "negative credits",
    fn: "grant_credits_for_purchase",
    args: grant({ p_credits: -5 }),
    code: "22023",
    message: /^credits must be positive$/,
  },
  {
    name: "negative amount",
    fn: "grant_credits_for_purchase",
    args: grant({ p_amount_minor: -1 }),
    code: "22023",
    message: /^amount must be a non-negative integer$/,
  },
  {
    name: "missing amount",
    fn: "grant_credits_for_purchase",
    args: grant({ p_amount_minor: null }),
    code: "22023",
    message: /^amount must be a non-negative integer$/,
  },
  {
    name: "empty external id",
    fn: "grant_credits_for_purchase",
    args: grant({ p_external_id: "" }),
    code: "22023",
    message: /^external id is required/,
  },
  {
    name: "blank external id",
    fn: "grant_credits_for_purchase",
    args: grant({ p_external_id: "   " }),
    code: "22023",
    message: /^external id is required/,
  },
  {
    name: "missing external id",
    fn: "grant_credits_for_purchase",
    args: grant({ p_external_id: null }),
    code: "22023",
    message: /^external id is required/,
  },
  {
    name: "overlong external id",
    fn: "grant_credits_for_purchase",
    args: grant({ p_external_id: "x".repeat(256) }),
    code: "22023",
    message: /at most 255 characters/,
  },
  {
    name: "unknown provider name",
    fn: "grant_credits_for_purchase",
    args: grant({ p_provider: "paypal" }),
    code: "22023",
    message: /^unknown provider: paypal$/,
  },
  {
    name: "provider in the wrong case",
    fn: "grant_credits_for_purchase",
    args: grant({ p_provider: "Stripe" }),
    code: "22023",
    message: /^unknown provider: Stripe$/,
  },
  {
    name: "missing provider",
    fn: "grant_credits_for_purchase",
    args: grant({ p_provider: null }),
    code: "22023",
    message: /^unknown provider: null$/,
  },
  {
    name: "two-letter currency",
    fn: "grant_credits_for_purchase",
    args: grant({ p_currency: "us" }),
    code: "22023",
    message: /^currency must be a three-letter code$/,
  },
  {
    name: "currency with a symbol",
    fn: "grant_credits_for_purchase",
    args: grant({ p_currency: "u$d" }),
    code: "22023",
    message: /^currency must be a three-letter code$/,
  },
  {
    name: "missing currency",
    fn: "grant_credits_for_purchase",
    args: grant({ p_currency: null }),
    code: "22023",
    message: /^currency must be a three-letter code$/,
  },
  {
    name: "missing buyer",
    fn: "grant_credits_for_purchase",
    args: grant({ p_user_id: null, p_email: null }),
    code: "22023",
    message: /^buyer unknown: no user id or email$/,
  },
  {
    name: "blank buyer e-mail",
    fn: "grant_credits_for_purchase",
    args: grant({ p_user_id: null, p_email: "  " }),
    code: "22023",
    message: /^buyer unknown/,
  },
  {
    name: "unknown user id and no e-mail",
    fn: "grant_credits_for_purchase",
    args: grant({ p_user_id: randomUUID() }),
    code: "22023",
    message: /^buyer unknown/,
  },
  {
    name: "unknown reversal kind",
    fn: "reverse_purchase_credits",
    args: reverse({ p_kind: "chargeback" }),
    code: "22023",
    message: /^unknown reversal kind: chargeback$/,
  },
  {
    name: "missing reversal kind",
    fn: "reverse_purchase_credits",
    args: reverse({ p_kind: null }),
    code: "22023",
    message: /^unknown reversal kind: null$/,
  },
  {
    name: "empty reversal reference",
    fn: "reverse_purchase_credits",
    args: reverse({ p_reference: "" }),
    code: "22023",
    message: /^reference is required$/,
  },
  {
    name: "refund without an amount",
    fn: "reverse_purchase_credits",
    args: reverse({ p_refunded_minor: null }),
    code: "22023",
    message: /^refunded amount must be a non-negative integer$/,
  },
  {
    name: "negative refunded amount",
    fn: "reverse_purchase_credits",
    args: reverse({ p_refunded_minor: -1 }),
    code: "22023",
    message: /^refunded amount must be a non-negative integer$/,
  },
  {
    name: "empty idempotency key",
    fn: "spend_credits",
    args: spend({ p_idempotency_key: "" }),
    code: "22023",
    message: /^idempotency key is required/,
  },
  {
    name: "blank idempotency key",
    fn: "spend_credits",
    args: spend({ p_idempotency_key: "   " }),
    code: "22023",
    message: /^idempotency key is required/,
  },
  {
    name: "idempotency key over 255 characters",
    fn: "spend_credits",
    args: spend({ p_idempotency_key: "k".repeat(256) }),
    code: "22023",
    message: /at most 255 characters/,
  },
  {
    name: "zero spend",
    fn: "spend_credits",
    args: spend({ p_amount: 0 }),
    code: "22023",
    message: /^amount must be a positive integer$/,
  },
  {
    name: "negative spend",
    fn: "spend_credits",
    args: spend({ p_amount: -10 }),
    code: "22023",
    message: /^amount must be a positive integer$/,
  },
  {
    name: "claim without an e-mail",
    fn: "claim_pending_credit_grants",
    args: (ctx) => ({ p_user_id: ctx.user, p_email: "" }),
    code: "22023",
    message: /^user id and email are required$/,
  },
  {
    name: "claim without a user",
    fn: "claim_pending_credit_grants",
    args: () => ({ p_user_id: null, p_email: "a@example.com" }),
    code: "22023",
    message: /^user id and email are required$/,
  },
  {
    name: "event of an unknown provider",
    fn: "ingest_webhook_event",
    args: ingest({ p_provider: "paypal" }),
    code: "23514",
    message: /webhook_events_provider_check/,
  },
  {
    name: "event with an empty id",
    fn: "ingest_webhook_event",
    args: ingest({ p_event_id: "" }),
    code: "23514",
    message: /webhook_events_event_id_check/,
  },
  {
    name: "event without a payload",
    fn: "ingest_webhook_event",
    args: ingest({ p_payload: null }),
    code: "22023",
    message: /^payload is required$/,
  },
  {
    name: "retry with an unknown trigger",
    fn: "retry_webhook_event",
    args: () => ({ p_id: randomUUID(), p_action: "none", p_args: {}, p_trigger: "cron" }),
    code: "22023",
    message: /^invalid trigger$/,
  },
];

describe.each(targets)("bad input on %s", (target) => {
  let t: TestDatabase;
  const ctx = { user: "", externalId: `pi_good_${unique()}` };
  let before: RowCounts;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    ctx.user = await createUser(t.db, `bad-input-${unique()}@example.com`);
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: ctx.externalId,
      userId: ctx.user,
      credits: 100,
      amountMinor: 1000,
      currency: "usd",
    });
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    before = await rowCounts(t.db);
  });

  it.each(BAD_CALLS)("$fn refuses $name and writes nothing", async ({ fn, args, code, message }) => {
    await expectDatabaseError(t.db.rpc(fn, args(ctx)), code, message);
    expect(await rowCounts(t.db)).toEqual(before);
    expect(await balanceOf(t.db, ctx.user)).toBe(100);
  });
});
