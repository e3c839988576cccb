/**
 * Model-based property test of the credit functions: random sequences of
 * grants (new and redelivered payments, to accounts and to unknown e-mails),
 * refunds (cumulative amounts, in any order), disputes and their closing,
 * spends and sign-ups. After every step the database must agree with a small
 * model of what the functions promise, and always:
 * - every wallet equals the sum of its ledger;
 * - no payment is credited twice (at most one purchase/claim row, never more than its credits);
 * - what a purchase still gives (ledger + unclaimed grant) = credits − refunded − disputed;
 * - no unclaimed grant is left for an e-mail that has an account.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DatabaseError } from "@/lib/db/errors";
import type { SqlDatabase } from "@/lib/db/port";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { createUser, targets, walletsOffLedger } from "../helpers/databases";
import { useTestDatabase } from "../helpers/test-database";
import { reversePurchaseCredits, spendCredits } from "../helpers/credit-rpc";

/** The payments a run can make (index = payment); amount 0 is a free checkout. */
const PAYMENTS = [
  { credits: 100, amount: 1000, provider: "stripe" },
  { credits: 7, amount: 300, provider: "paystack" },
  { credits: 550, amount: 2500, provider: "stripe" },
  { credits: 1, amount: 99, provider: "invoices" },
  { credits: 2400, amount: 0, provider: "stripe" },
  { credits: 33, amount: 1000, provider: "fireblocks" },
] as const;
const EMAILS = 5; // 0 and 1 have accounts from the start; 2..4 may sign up during the run
const RUNS = 30;

type Op =
  | { kind: "grant"; payment: number; email: number; upper: boolean; byId: boolean }
  | { kind: "refund"; payment: number; permille: number }
  | { kind: "dispute"; payment: number; close: boolean }
  | { kind: "spend"; email: number; amount: number; key: number }
  | { kind: "signup"; email: number; upper: boolean };

const payment = fc.integer({ min: 0, max: PAYMENTS.length - 1 });
const email = fc.integer({ min: 0, max: EMAILS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      payment,
      email,
      upper: fc.boolean(),
      byId: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("refund" as const),
      payment,
      permille: fc.integer({ min: 0, max: 1100 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("dispute" as const), payment, close: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("spend" as const),
      email,
      amount: fc.integer({ min: 1, max: 400 }),
      key: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("signup" as const), email, upper: fc.boolean() }) },
);
/** Per payment: is its dispute (if any) lost (true) or won (false)? A dispute closes one way only. */
const scenario = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 40 }),
  lost: fc.array(fc.boolean(), { minLength: PAYMENTS.length, maxLength: PAYMENTS.length }),
});

interface PaymentState {
  owner: string | null; // e-mail of the account credited
  pendingEmail: string | null;
  pendingCredits: number;
  refunded: number;
  disputed: number;
  disputeClosed: boolean;
}

/** What the functions promise, in memory. */
class Model {
  readonly balances = new Map<string, number>(); // e-mail → balance, for accounts
  readonly ids = new Map<string, string>(); // e-mail → user id
  readonly payments = new Map<number, PaymentState>();
  readonly spendKeys = new Map<string, number>(); // e-mail:key → amount spent with it

  /** Moves `delta` credits out of what the payment gave (negative: gives back). */
  take(p: PaymentState, delta: number) {
    if (p.owner) this.balances.set(p.owner, this.balances.get(p.owner)! - delta);
    else p.pendingCredits = Math.max(p.pendingCredits - delta, 0);
  }

  refund(i: number, refundedMinor: number) {
    const p = this.payments.get(i)!;
    const { credits, amount } = PAYMENTS[i];
    let target = amount === 0 ? credits : Math.floor((credits * Math.min(refundedMinor, amount)) / amount);
    target = Math.min(target, credits - p.disputed); // credits an open dispute took are not taken twice
    const delta = Math.max(target - p.refunded, 0);
    p.refunded += delta;
    this.take(p, delta);
  }

  disputeOpened(i: number) {
    const p = this.payments.get(i)!;
    if (p.disputeClosed) return; // "created" delivered after "closed"
    const delta = PAYMENTS[i].credits - p.refunded - p.disputed;
    p.disputed += delta;
    this.take(p, delta);
  }

  disputeClosed(i: number, lost: boolean) {
    const p = this.payments.get(i)!;
    if (lost) {
      const delta = PAYMENTS[i].credits - p.refunded - p.disputed;
      p.disputed += delta;
      p.disputeClosed = true;
      this.take(p, delta);
    } else if (!p.disputeClosed) {
      const delta = -p.disputed;
      p.disputed = 0;
      p.disputeClosed = true;
      this.take(p, delta);
    }
  }

  signUp(emailLower: string, id: string) {
    this.ids.set(emailLower, id);
    let balance = 0;
    for (const p of this.payments.values()) {
      if (p.pendingEmail === emailLower) {
        balance += p.pendingCredits;
        p.owner = emailLower;
        p.pendingEmail = null;
        p.pendingCredits = 0;
      }
    }
    this.balances.set(emailLower, balance);
  }
}

async function outcomeOf<T>(call: Promise<T>): Promise<T | { error: string | undefined }> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof DatabaseError) return { error: error.code };
    throw error;
  }
}

/** Invariants over the whole database; returns what breaks them. */
async function violations(db: SqlDatabase) {
  const [wallets, purchases, unclaimed] = await Promise.all([
    walletsOffLedger(db),
    db.query(
      `select p.provider, p.external_id, p.credits, p.refunded_credits, p.disputed_credits, l.credited_rows, l.credited, l.net, g.pending
         from public.purchases p
         cross join lateral (
           select count(*) filter (where kind in ('purchase', 'claim'))::int as credited_rows,
                  coalesce(sum(delta) filter (where kind in ('purchase', 'claim')), 0)::bigint as credited,
                  coalesce(sum(delta), 0)::bigint as net
             from public.credit_ledger where purchase_id = p.id) l
         left join lateral (
           select credits as pending from public.pending_credit_grants where purchase_id = p.id and claimed_at is null) g on true
        where l.credited_rows > 1
           or l.credited > p.credits
           or l.net + coalesce(g.pending, 0) <> p.credits - p.refunded_credits - p.disputed_credits
           or (p.user_id is null) <> (g.pending is not null)`,
    ),
    db.query(
      `select g.email from public.pending_credit_grants g
        where g.claimed_at is null and exists (select 1 from public.profiles p where lower(p.email) = lower(g.email))`,
    ),
  ]);
  return { wallets, purchases, unclaimed };
}

async function runScenario(db: SqlDatabase, ops: Op[], lost: boolean[]) {
  const run = randomUUID().slice(0, 8);
  const emails = Array.from({ length: EMAILS }, (_, i) => `buyer${i}-${run}@example.com`);
  const externalId = (i: number) => `pay_${run}_${i}`;
  const model = new Model();
  for (const e of emails.slice(0, 2)) model.signUp(e, await createUser(db, e));

  for (const [step, o] of ops.entries()) {
    const where = `step ${step}: ${JSON.stringify(o)}`;
    switch (o.kind) {
      case "grant": {
        const e = emails[o.email];
        const userId = model.ids.get(e);
        const { credits, amount, provider } = PAYMENTS[o.payment];
        const result = await grantCreditsForPurchase(db, {
          provider,
          externalId: externalId(o.payment),
          userId: o.byId ? (userId ?? randomUUID()) : null, // an unknown id falls back to the e-mail
          email: o.upper ? e.toUpperCase() : e,
          credits,
          amountMinor: amount,
          currency: "usd",
        });
        let expected: string;
        if (model.payments.has(o.payment)) expected = "duplicate";
        else if (userId) {
          expected = "granted";
          model.payments.set(o.payment, {
            owner: e,
            pendingEmail: null,
            pendingCredits: 0,
            refunded: 0,
            disputed: 0,
            disputeClosed: false,
          });
          model.balances.set(e, model.balances.get(e)! + credits);
        } else {
          expected = "pending";
          model.payments.set(o.payment, {
            owner: null,
            pendingEmail: e,
            pendingCredits: credits,
            refunded: 0,
            disputed: 0,
            disputeClosed: false,
          });
        }
        expect(result.outcome, where).toBe(expected);
        break;
      }
      case "refund": {
        const refundedMinor = Math.round((PAYMENTS[o.payment].amount * o.permille) / 1000);
        const result = await outcomeOf(
          reversePurchaseCredits(db, {
            provider: PAYMENTS[o.payment].provider,
            externalId: externalId(o.payment),
            kind: "refund",
            reference: `ch_${run}_${o.payment}`,
            refundedMinor,
          }),
        );
        if (!model.payments.has(o.payment)) expect(result, where).toEqual({ error: "P0002" });
        else {
          expect(result, where).not.toHaveProperty("error");
          model.refund(o.payment, refundedMinor);
        }
        break;
      }
      case "dispute": {
        const kind = !o.close ? "dispute" : lost[o.payment] ? "dispute_lost" : "dispute_reinstated";
        const result = await outcomeOf(
          reversePurchaseCredits(db, {
            provider: PAYMENTS[o.payment].provider,
            externalId: externalId(o.payment),
            kind,
            reference: `dp_${run}_${o.payment}`,
          }),
        );
        if (!model.payments.has(o.payment)) expect(result, where).toEqual({ error: "P0002" });
        else {
          expect(result, where).not.toHaveProperty("error");
          if (o.close) model.disputeClosed(o.payment, lost[o.payment]);
          else model.disputeOpened(o.payment);
        }
        break;
      }
      case "spend": {
        const e = emails[o.email];
        const userId = model.ids.get(e);
        if (!userId) break; // only accounts spend
        const key = `order-${o.key}`;
        const result = await outcomeOf(spendCredits(db, userId, o.amount, key));
        const balance = model.balances.get(e)!;
        const earlier = model.spendKeys.get(`${e}:${key}`);
        if (earlier === o.amount) expect(result, where).toEqual({ outcome: "duplicate", balance });
        else if (earlier !== undefined)
          expect(result, where).toEqual({ error: "23505" }); // the key, reused with another amount
        else if (balance < o.amount) expect(result, where).toEqual({ error: "P0001" });
        else {
          model.spendKeys.set(`${e}:${key}`, o.amount);
          model.balances.set(e, balance - o.amount);
          expect(result, where).toEqual({ outcome: "spent", balance: balance - o.amount });
        }
        break;
      }
      case "signup": {
        const e = emails[o.email];
        if (model.ids.has(e)) break;
        model.signUp(e, await createUser(db, o.upper ? e.toUpperCase() : e));
        break;
      }
    }

    const ids = [...model.ids.entries()];
    const rows = await db.query<{ user_id: string; balance: string }>(
      "select user_id, balance::text from public.wallets where user_id = any($1::uuid[])",
      [ids.map(([, id]) => id)],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.user_id, Number(r.balance)]));
    expect(actual, where).toEqual(Object.fromEntries(ids.map(([e, id]) => [id, model.balances.get(e)])));
    expect(await violations(db), where).toEqual({ wallets: [], purchases: [], unclaimed: [] });
  }
}

describe.each(targets)("credit functions under random sequences on %s", (target) => {
  const t = useTestDatabase(target);

  it("keep every wallet equal to its ledger and never credit a payment twice", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, ({ ops, lost }) => runScenario(t.db, ops, lost)),
      { numRuns: RUNS },
    );
  }, 120_000);
});
