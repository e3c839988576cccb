/** Every malformed call of a money function raises a clear error and writes no business row. */
import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";
import { rpcUnchecked } from "../helpers/rpc-unchecked";
import { expectDatabaseError, rowCounts, type RowCounts } from "../helpers/sql-assertions";

type Ctx = { user: string; externalId: string };
/** A function and its arguments (made from the test's user and purchase). */
type Call = { fn: string; args: (ctx: Ctx) => Record<string, unknown> };
const call = (fn: string, args: Call["args"]): Call => ({ fn, args });

const grant = (over: Record<string, unknown>) =>
  call("grant_credits_for_purchase", (ctx) => ({
    p_provider: "stripe",
    p_external_id: `pi_bad_${unique()}`,
    p_user_id: ctx.user,
    p_email: null,
    p_credits: 100,
    p_amount_minor: 1000,
    p_currency: "usd",
    ...over,
  }));
const reverse = (over: Record<string, unknown>) =>
  call("reverse_purchase_credits", (ctx) => ({
    p_provider: "stripe",
    p_external_id: ctx.externalId,
    p_kind: "refund",
    p_reference: "ch_bad",
    p_refunded_minor: 500,
    ...over,
  }));
const spend = (over: Record<string, unknown>) =>
  call("spend_credits", (ctx) => ({ p_user_id: ctx.user, p_amount: 10, p_idempotency_key: "key", ...over }));
const ingest = (over: Record<string, unknown>) =>
  call("ingest_webhook_event", () => ({
    p_provider: "stripe",
    p_event_id: `evt_bad_${unique()}`,
    p_event_type: "test.bad",
    p_payload: {},
    p_action: "none",
    p_args: {},
    ...over,
  }));

/** [what is wrong, the call, the error message, its SQLSTATE (22023 unless given)] */
const BAD_CALLS: Array<[name: string, call: Call, message: RegExp, code?: string]> = [
  ["zero credits", grant({ p_credits: 0 }), /^credits must be positive$/],
  ["negative credits", grant({ p_credits: -5 }), /^credits must be positive$/],
  ["negative amount", grant({ p_amount_minor: -1 }), /^amount must be a non-negative integer$/],
  ["missing amount", grant({ p_amount_minor: null }), /^amount must be a non-negative integer$/],
  ["empty external id", grant({ p_external_id: "" }), /^external id is required/],
  ["blank external id", grant({ p_external_id: "   " }), /^external id is required/],
  ["missing external id", grant({ p_external_id: null }), /^external id is required/],
  ["overlong external id", grant({ p_external_id: "x".repeat(256) }), /at most 255 characters/],
  ["unknown provider name", grant({ p_provider: "paypal" }), /^unknown provider: paypal$/],
  ["provider in the wrong case", grant({ p_provider: "Stripe" }), /^unknown provider: Stripe$/],
  ["missing provider", grant({ p_provider: null }), /^unknown provider: null$/],
  ["two-letter currency", grant({ p_currency: "us" }), /^currency must be a three-letter code$/],
  ["currency with a symbol", grant({ p_currency: "u$d" }), /^currency must be a three-letter code$/],
  ["missing currency", grant({ p_currency: null }), /^currency must be a three-letter code$/],
  ["missing buyer", grant({ p_user_id: null, p_email: null }), /^buyer unknown: no user id or email$/],
  ["blank buyer e-mail", grant({ p_user_id: null, p_email: "  " }), /^buyer unknown/],
  ["unknown user id and no e-mail", grant({ p_user_id: randomUUID() }), /^buyer unknown/],
  ["unknown reversal kind", reverse({ p_kind: "chargeback" }), /^unknown reversal kind: chargeback$/],
  ["missing reversal kind", reverse({ p_kind: null }), /^unknown reversal kind: null$/],
  ["empty reversal reference", reverse({ p_reference: "" }), /^reference is required$/],
  ["refund without an amount", reverse({ p_refunded_minor: null }), /^refunded amount must be a non-negative integer$/],
  ["negative refunded amount", reverse({ p_refunded_minor: -1 }), /^refunded amount must be a non-negative integer$/],
  ["empty idempotency key", spend({ p_idempotency_key: "" }), /^idempotency key is required/],
  ["blank idempotency key", spend({ p_idempotency_key: "   " }), /^idempotency key is required/],
  ["idempotency key over 255 characters", spend({ p_idempotency_key: "k".repeat(256) }), /at most 255 characters/],
  ["zero spend", spend({ p_amount: 0 }), /^amount must be a positive integer$/],
  ["negative spend", spend({ p_amount: -10 }), /^amount must be a positive integer$/],
  [
    "claim without an e-mail",
    call("claim_pending_credit_grants", (ctx) => ({ p_user_id: ctx.user, p_email: "" })),
    /^user id and email are required$/,
  ],
  [
    "claim without a user",
    call("claim_pending_credit_grants", () => ({ p_user_id: null, p_email: "a@example.com" })),
    /^user id and email are required$/,
  ],
  ["event of an unknown provider", ingest({ p_provider: "paypal" }), /webhook_events_provider_check/, "23514"],
  ["event with an empty id", ingest({ p_event_id: "" }), /webhook_events_event_id_check/, "23514"],
  ["event without a payload", ingest({ p_payload: null }), /^payload is required$/],
  [
    "retry with an unknown trigger",
    call("retry_webhook_event", () => ({ p_id: randomUUID(), p_action: "none", p_args: {}, p_trigger: "cron" })),
    /^invalid trigger$/,
  ],
];

describe.each(targets)("bad input on %s", (target) => {
  const t = useTestDatabase(target);
  const ctx: Ctx = { user: "", externalId: `pi_good_${unique()}` };
  let before: RowCounts;

  beforeAll(async () => {
    ctx.user = await createUser(t.db, `bad-input-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: ctx.externalId, userId: ctx.user });
  });
  beforeEach(async () => {
    before = await rowCounts(t.db);
  });

  it.each(BAD_CALLS.map(([name, { fn, args }, message, code = "22023"]) => ({ name, fn, args, message, code })))(
    "$fn refuses $name and writes nothing",
    async ({ fn, args, code, message }) => {
      await expectDatabaseError(rpcUnchecked(t.db, fn, args(ctx)), code, message);
      expect(await rowCounts(t.db)).toEqual(before);
      expect(await balanceOf(t.db, ctx.user)).toBe(100);
    },
  );
});
