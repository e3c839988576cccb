/**
 * Holds and credit lots as SQL functions, on every target (PGlite runs the races one
 * statement at a time; Postgres with a pool of 40 runs them for real). The attacks:
 * bursts of holds, spends and captures against one wallet, double captures and releases,
 * another account's hold, spends into held credits, holds and lots expiring between two
 * calls, a refund of a lot already spent. After every block, every credit invariant
 * (credit_invariant_violations) must hold.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import {
  adjustCredits,
  getWallet,
  grantCreditsForPurchase,
  listCreditLedger,
  listCreditLots,
  setCreditPackExpiryDays,
} from "@/lib/db/rpc/credits";
import {
  captureCreditHold,
  createCreditHold,
  creditInvariantViolations,
  expireCreditHolds,
  expireCreditLots,
  getCreditHold,
  listCreditHolds,
  releaseCreditHold,
} from "@/lib/db/rpc/holds";
import { createUser, targets } from "../helpers/databases";
import { spendCredits } from "../helpers/credit-rpc";
import { expectDatabaseError } from "../helpers/sql-assertions";
import { unique, useTestDatabase } from "../helpers/test-database";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(targets)("holds and credit lots on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true, poolMax: 40 });
  let admin = "";

  beforeAll(async () => {
    const email = `lots-admin-${unique()}@example.com`;
    admin = await createUser(t.db, email);
    await syncAdminEmails(t.db, [email]);
  });

  const user = () => createUser(t.db, `lots-${unique()}@example.com`);
  const buy = (userId: string, credits: number, externalId = `pi_${unique()}`) =>
    grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId,
      userId,
      credits,
      amountMinor: credits * 10,
      currency: "usd",
    });
  const refund = (externalId: string, refundedMinor: number) =>
    t.db.query("select public.reverse_purchase_credits('stripe', $1, 'refund', $2, $3)", [
      externalId,
      `re_${unique()}`,
      refundedMinor,
    ]);
  const promo = (userId: string, credits: number, expiresAt: Date | null) =>
    adjustCredits(t.db, { userId, delta: credits, reason: "promotion", adminId: admin, expiresAt });
  const hold = (userId: string, amount: number, key = unique(), expiresInSeconds = 900) =>
    createCreditHold(t.db, userId, { amount, idempotencyKey: key, reason: "job", expiresInSeconds });
  const wallet = async (userId: string) => {
    const w = await getWallet(t.db, userId);
    return { balance: w!.balance, available: w!.available, held: w!.held };
  };
  const movements = async (userId: string, kind: string) =>
    (await listCreditLedger(t.db, userId, { limit: 100 })).rows
      .filter((r) => r.kind === kind)
      .map((r) => r.lots.map((m) => m.amount));

  describe("holds", () => {
    it("reserves available credits: balance stays, held and available move, and a spend cannot use them", async () => {
      const u = await user();
      await buy(u, 100);
      const h = await hold(u, 70);
      expect(h).toMatchObject({ outcome: "held", balance: 100, available: 30, hold: { amount: 70, status: "active" } });
      expect(await wallet(u)).toEqual({ balance: 100, available: 30, held: 70 });
      await expectDatabaseError(spendCredits(t.db, u, 31, `spend-${unique()}`), "P0001", /insufficient/);
      await spendCredits(t.db, u, 30, `spend-${unique()}`);
      expect(await wallet(u)).toEqual({ balance: 70, available: 0, held: 70 });
      expect(await hold(u, 1)).toMatchObject({ outcome: "insufficient", balance: 70, available: 0 });
      expect(await listCreditHolds(t.db, u)).toHaveLength(1);
    });

    it("is idempotent per key: the same amount answers duplicate, another amount conflict; nothing more held", async () => {
      const u = await user();
      await buy(u, 100);
      const first = await hold(u, 40, "job-1");
      expect(await hold(u, 40, "job-1")).toMatchObject({ outcome: "duplicate", hold: { id: first.hold!.id } });
      expect(await hold(u, 41, "job-1")).toMatchObject({ outcome: "conflict", hold: { id: first.hold!.id } });
      expect(await wallet(u)).toEqual({ balance: 100, available: 60, held: 40 });
    });

    it("captures part of a hold once: the part is spent with the hold's reason, the rest freed; again → duplicate", async () => {
      const u = await user();
      await buy(u, 100);
      const h = (await hold(u, 60)).hold!;
      const c = await captureCreditHold(t.db, { userId: u, holdId: h.id, amount: 25 });
      expect(c).toMatchObject({
        outcome: "captured",
        balance: 75,
        available: 75,
        hold: { status: "captured", captured: 25 },
      });
      expect(await captureCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({
        outcome: "duplicate",
        balance: 75,
      });
      const ledger = (await listCreditLedger(t.db, u)).rows.filter((r) => r.kind === "capture");
      expect(ledger).toMatchObject([{ delta: -25, reason: "job", reference: h.id }]);
      expect(await releaseCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({ outcome: "not_active" });
      expect(await wallet(u)).toEqual({ balance: 75, available: 75, held: 0 });
    });

    it("captures the whole hold by default, and 0 spends nothing; more than held is refused", async () => {
      const u = await user();
      await buy(u, 100);
      const a = (await hold(u, 30)).hold!;
      const b = (await hold(u, 30)).hold!;
      expect(await captureCreditHold(t.db, { userId: u, holdId: a.id, amount: 31 })).toMatchObject({
        outcome: "too_much",
      });
      expect(await captureCreditHold(t.db, { userId: u, holdId: a.id })).toMatchObject({
        outcome: "captured",
        hold: { captured: 30 },
      });
      expect(await captureCreditHold(t.db, { userId: u, holdId: b.id, amount: 0 })).toMatchObject({
        outcome: "captured",
        hold: { captured: 0 },
      });
      expect(await wallet(u)).toEqual({ balance: 70, available: 70, held: 0 });
    });

    it("releases once; a released hold cannot be captured, and a captured one cannot be released", async () => {
      const u = await user();
      await buy(u, 100);
      const h = (await hold(u, 50)).hold!;
      expect(await releaseCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({
        outcome: "released",
        available: 100,
        hold: { status: "released" },
      });
      expect(await releaseCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({ outcome: "duplicate" });
      expect(await captureCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({ outcome: "not_active" });
      expect(await wallet(u)).toEqual({ balance: 100, available: 100, held: 0 });
    });

    it("does not let another account see, capture or release a hold", async () => {
      const owner = await user();
      const stranger = await user();
      await buy(owner, 100);
      await buy(stranger, 100);
      const h = (await hold(owner, 50)).hold!;
      expect(await captureCreditHold(t.db, { userId: stranger, holdId: h.id })).toEqual({ outcome: "not_found" });
      expect(await releaseCreditHold(t.db, { userId: stranger, holdId: h.id })).toEqual({ outcome: "not_found" });
      expect(await getCreditHold(t.db, stranger, h.id)).toBeNull();
      expect(await wallet(owner)).toEqual({ balance: 100, available: 50, held: 50 });
      expect(await wallet(stranger)).toEqual({ balance: 100, available: 100, held: 0 });
    });

    it("lets an admin release a hold with a reason, and refuses a non-admin", async () => {
      const u = await user();
      await buy(u, 10);
      const h = (await hold(u, 10)).hold!;
      await expectDatabaseError(
        releaseCreditHold(t.db, { userId: u, holdId: h.id, adminId: u, reason: "x" }),
        "42501",
        /only an admin/,
      );
      await releaseCreditHold(t.db, { userId: u, holdId: h.id, adminId: admin, reason: "stuck job" });
      expect(await listCreditHolds(t.db, u)).toMatchObject([
        { status: "released", release_reason: "stuck job", released_by_email: expect.stringContaining("lots-admin") },
      ]);
    });

    it("frees an expired hold's credits at once, for reads and writes, before any sweep; then capture → not_active", async () => {
      const u = await user();
      await buy(u, 100);
      const h = (await hold(u, 80, unique(), 1)).hold!;
      expect(await wallet(u)).toEqual({ balance: 100, available: 20, held: 80 });
      await sleep(1100);
      expect(await wallet(u)).toEqual({ balance: 100, available: 100, held: 0 });
      expect(await getCreditHold(t.db, u, h.id)).toMatchObject({ status: "expired" });
      expect(await listCreditHolds(t.db, u, { status: "active" })).toEqual([]);
      await spendCredits(t.db, u, 90, `spend-${unique()}`); // the write settles the wallet first
      expect(await captureCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({ outcome: "not_active" });
      expect(await releaseCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({ outcome: "not_active" });
      const [row] = await t.db.query<{ status: string }>("select status from public.credit_holds where id = $1", [
        h.id,
      ]);
      expect(row.status).toBe("expired");
    });

    it("marks expired holds in the sweep (expire_credit_holds) for wallets nobody touches", async () => {
      const u = await user();
      await buy(u, 10);
      const h = (await hold(u, 10, unique(), 1)).hold!;
      await sleep(1100);
      expect(await expireCreditHolds(t.db)).toBeGreaterThanOrEqual(1);
      const [row] = await t.db.query<{ status: string; settled_at: Date }>(
        "select status, settled_at from public.credit_holds where id = $1",
        [h.id],
      );
      expect(row.status).toBe("expired");
      expect(row.settled_at).not.toBeNull();
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });

    it("refuses bad input with 22023 and writes nothing", async () => {
      const u = await user();
      await buy(u, 10);
      await expectDatabaseError(hold(u, 0), "22023", /amount/);
      await expectDatabaseError(hold(u, 1, ""), "22023", /idempotency key/);
      await expectDatabaseError(hold(u, 1, unique(), 0), "22023", /expires_in_seconds/);
      await expectDatabaseError(hold(u, 1, unique(), 86401), "22023", /expires_in_seconds/);
      expect(await listCreditHolds(t.db, u)).toEqual([]);
    });
  });

  describe("races on one wallet", () => {
    it("lets exactly as many of 40 concurrent holds through as the available credits cover", async () => {
      const u = await user();
      await buy(u, 100);
      const results = await Promise.all(Array.from({ length: 40 }, () => hold(u, 7)));
      expect(results.filter((r) => r.outcome === "held")).toHaveLength(14);
      expect(results.filter((r) => r.outcome === "insufficient")).toHaveLength(26);
      expect(await wallet(u)).toEqual({ balance: 100, available: 2, held: 98 });
    });

    it("never overshoots available with 40 holds, spends, captures and releases at once", async () => {
      const u = await user();
      await buy(u, 60);
      await promo(u, 40, new Date(Date.now() + 3_600_000));
      const open = await Promise.all(Array.from({ length: 10 }, () => hold(u, 5)));
      const ops = Array.from({ length: 40 }, (_, i) => {
        const h = open[i % 10].hold!;
        switch (i % 4) {
          case 0:
            return captureCreditHold(t.db, { userId: u, holdId: h.id, amount: 3 }).then((r) => r.outcome);
          case 1:
            return releaseCreditHold(t.db, { userId: u, holdId: h.id }).then((r) => r.outcome);
          case 2:
            return hold(u, 9).then((r) => r.outcome);
          default:
            return spendCredits(t.db, u, 4, `spend-${unique()}`).then(
              () => "spent",
              () => "insufficient",
            );
        }
      });
      const outcomes = await Promise.all(ops);
      expect(outcomes.length).toBe(40);
      const w = await wallet(u);
      expect(w.available).toBeGreaterThanOrEqual(0);
      expect(w.balance).toBeGreaterThanOrEqual(0);
      const [sums] = await t.db.query<{ spent: string; held: string }>(
        `select (select coalesce(-sum(delta), 0) from public.credit_ledger where user_id = $1 and kind in ('spend', 'capture'))::text as spent,
                (select coalesce(sum(amount), 0) from public.credit_holds where user_id = $1 and status = 'active')::text as held`,
        [u],
      );
      expect(Number(sums.spent) + Number(sums.held)).toBeLessThanOrEqual(100);
      expect(w).toEqual({
        balance: 100 - Number(sums.spent),
        available: 100 - Number(sums.spent) - Number(sums.held),
        held: Number(sums.held),
      });
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });

    it("captures once when 40 captures of one hold arrive at the same time", async () => {
      const u = await user();
      await buy(u, 100);
      const h = (await hold(u, 50)).hold!;
      const results = await Promise.all(
        Array.from({ length: 40 }, () => captureCreditHold(t.db, { userId: u, holdId: h.id, amount: 20 })),
      );
      expect(results.filter((r) => r.outcome === "captured")).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(39);
      expect(await wallet(u)).toEqual({ balance: 80, available: 80, held: 0 });
    });

    it("holds once when 40 requests with one key arrive at the same time", async () => {
      const u = await user();
      await buy(u, 100);
      const results = await Promise.all(Array.from({ length: 40 }, () => hold(u, 10, "same-key")));
      expect(results.filter((r) => r.outcome === "held")).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(39);
      expect(await wallet(u)).toEqual({ balance: 100, available: 90, held: 10 });
    });
  });

  describe("lots", () => {
    it("takes debits soonest-expiring first, promotional before paid, never-expiring last, and says which lots paid", async () => {
      const u = await user();
      await buy(u, 100); // paid, never
      const soon = new Date(Date.now() + 86_400_000);
      const later = new Date(Date.now() + 7 * 86_400_000);
      await adjustCredits(t.db, {
        userId: u,
        delta: 10,
        reason: "paid later",
        adminId: admin,
        expiresAt: later,
        category: "paid",
      });
      await promo(u, 20, later); // promotional, later: before the paid lot of the same expiry
      await promo(u, 5, soon);
      await spendCredits(t.db, u, 30, `s-${unique()}`);
      expect(await movements(u, "spend")).toEqual([[-5, -20, -5]]);
      const lots = await listCreditLots(t.db, u);
      expect(lots.map((l) => [l.category, l.remaining])).toEqual([
        ["paid", 5],
        ["paid", 100],
        ["promotional", 0],
        ["promotional", 0],
      ]);
      const w = await getWallet(t.db, u);
      expect(w).toMatchObject({ balance: 105, expiring_30_days: 5 });
    });

    it("counts an expired lot for nothing at once, and expire_credit_lots writes it off as an expire row", async () => {
      const u = await user();
      await buy(u, 50);
      await promo(u, 20, new Date(Date.now() + 1000));
      expect(await wallet(u)).toEqual({ balance: 70, available: 70, held: 0 });
      await sleep(1100);
      expect(await wallet(u)).toEqual({ balance: 50, available: 50, held: 0 });
      await expectDatabaseError(spendCredits(t.db, u, 51, `s-${unique()}`), "P0001", /insufficient/);
      // the sweep skips a wallet another transaction holds (the refused spend's backend may still be ending): retry
      const expireRows = async () => (await listCreditLedger(t.db, u)).rows.filter((r) => r.kind === "expire");
      for (let i = 0; i < 20 && (await expireCreditLots(t.db)) >= 0 && (await expireRows()).length === 0; i++) {
        await sleep(50);
      }
      const expiries = (await listCreditLedger(t.db, u)).rows.filter((r) => r.kind === "expire");
      expect(expiries).toMatchObject([{ delta: -20, lots: [{ amount: -20, category: "promotional" }] }]);
      expect(await expireCreditLots(t.db)).toBeGreaterThanOrEqual(0);
      expect((await listCreditLedger(t.db, u)).rows.filter((r) => r.kind === "expire")).toHaveLength(1);
      const [row] = await t.db.query<{ balance: string }>(
        "select balance::text from public.wallets where user_id = $1",
        [u],
      );
      expect(row.balance).toBe("50");
    });

    it("keeps a hold's credits when their lot expires between the hold and its capture", async () => {
      const u = await user();
      await promo(u, 30, new Date(Date.now() + 1000));
      await buy(u, 10);
      const h = (await hold(u, 25)).hold!; // backed by the expiring lot first
      await sleep(1100);
      // 5 of the expired 30 are not held: gone; the 25 held stay with the hold
      expect(await wallet(u)).toEqual({ balance: 35, available: 10, held: 25 });
      await expireCreditLots(t.db);
      expect(await wallet(u)).toEqual({ balance: 35, available: 10, held: 25 });
      expect(await captureCreditHold(t.db, { userId: u, holdId: h.id, amount: 20 })).toMatchObject({
        outcome: "captured",
        balance: 10, // the 5 the capture freed from the expired lot expire at once
        available: 10,
      });
      expect(await wallet(u)).toEqual({ balance: 10, available: 10, held: 0 });
      await expireCreditLots(t.db);
      const [row] = await t.db.query<{ balance: string; debt: string }>(
        "select balance::text, debt::text from public.wallets where user_id = $1",
        [u],
      );
      expect(row).toEqual({ balance: "10", debt: "0" });
      expect(await movements(u, "capture")).toEqual([[-20]]);
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });

    it("expires at release, too, the credits of an expired lot that the released hold kept", async () => {
      const u = await user();
      await promo(u, 30, new Date(Date.now() + 1000));
      await buy(u, 10);
      const h = (await hold(u, 25)).hold!;
      await sleep(1100);
      expect(await releaseCreditHold(t.db, { userId: u, holdId: h.id })).toMatchObject({
        outcome: "released",
        balance: 10,
        available: 10,
      });
      expect(await wallet(u)).toEqual({ balance: 10, available: 10, held: 0 });
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });

    it("leaves the wallet's hold expiry early when a hold ends, and the first write after it sets it right", async () => {
      const u = await user();
      await buy(u, 100);
      const soon = (await hold(u, 10, unique(), 1)).hold!;
      const later = (await hold(u, 20, unique(), 900)).hold!;
      const nextHoldExpiry = async () =>
        (
          await t.db.query<{ at: Date | null }>(
            "select next_hold_expiry_at as at from public.wallets where user_id = $1",
            [u],
          )
        )[0].at;
      expect(await nextHoldExpiry()).toEqual(soon.expires_at);
      await captureCreditHold(t.db, { userId: u, holdId: soon.id, amount: 5 });
      // no active hold expires before it: allowed, and the invariant check agrees
      expect(await nextHoldExpiry()).toEqual(soon.expires_at);
      expect(await creditInvariantViolations(t.db)).toEqual([]);
      await sleep(1100);
      // past it, reads and writes are still right; the write settles the wallet, which sets the time right
      expect(await wallet(u)).toEqual({ balance: 95, available: 75, held: 20 });
      await spendCredits(t.db, u, 75, `spend-${unique()}`);
      expect(await nextHoldExpiry()).toEqual(later.expires_at);
      expect(await wallet(u)).toEqual({ balance: 20, available: 0, held: 20 });
      expect(await getCreditHold(t.db, u, later.id)).toMatchObject({ status: "active" });
      // and once the last hold ends, the time stays until a settle clears it
      await releaseCreditHold(t.db, { userId: u, holdId: later.id });
      expect(await creditInvariantViolations(t.db)).toEqual([]);
      await t.db.query("update public.wallets set next_hold_expiry_at = null where user_id = $1", [u]);
      await hold(u, 5);
      await t.db.query("update public.wallets set next_hold_expiry_at = null where user_id = $1", [u]);
      // a wallet whose time is later than an active hold's expiry (or null with one active) is a breach
      expect(await creditInvariantViolations(t.db)).toEqual([
        { user_id: u, problem: expect.stringMatching(/next_hold_expiry_at null is later/) },
      ]);
      await t.db.query(
        "update public.wallets w set next_hold_expiry_at = (select min(expires_at) from public.credit_holds h where h.user_id = w.user_id and h.status = 'active') where user_id = $1",
        [u],
      );
    });

    it("refunds from the purchase's own lot first, then the others; beyond them the balance is owed (debt)", async () => {
      const u = await user();
      const a = `pi_a_${unique()}`;
      const b = `pi_b_${unique()}`;
      await buy(u, 100, a);
      await buy(u, 100, b);
      await spendCredits(t.db, u, 150, `s-${unique()}`); // oldest first: all of a, 50 of b
      await refund(a, 1000); // a's lot is spent: takes 50 from b's lot, then 50 becomes debt
      expect(await movements(u, "refund")).toEqual([[-50, -50]]);
      let [row] = await t.db.query<{ balance: string; debt: string }>(
        "select balance::text, debt::text from public.wallets where user_id = $1",
        [u],
      );
      expect(row).toEqual({ balance: "-50", debt: "50" });
      await buy(u, 80); // pays the debt first
      [row] = await t.db.query("select balance::text, debt::text from public.wallets where user_id = $1", [u]);
      expect(row).toEqual({ balance: "30", debt: "0" });
      expect(await movements(u, "purchase")).toContainEqual([50, 30]);
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });

    it("refunds an unspent purchase from its own lot even when it is not first in burn-down order", async () => {
      const u = await user();
      const a = `pi_a_${unique()}`;
      const b = `pi_b_${unique()}`;
      await buy(u, 100, a);
      await buy(u, 100, b);
      await refund(b, 1000);
      const lots = await listCreditLots(t.db, u);
      expect(lots.find((l) => l.remaining > 0)).toMatchObject({ remaining: 100, source: "purchase" });
      expect(await movements(u, "refund")).toEqual([[-100]]);
    });

    it("expires bought packs after CREDIT_PACK_EXPIRY_DAYS (set_credit_pack_expiry_days), never when unset", async () => {
      const u = await user();
      try {
        await setCreditPackExpiryDays(t.db, 10);
        await buy(u, 40);
      } finally {
        await setCreditPackExpiryDays(t.db, null);
      }
      await buy(u, 60);
      const lots = await listCreditLots(t.db, u);
      const days = (lots[0].expires_at!.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(9.9);
      expect(days).toBeLessThanOrEqual(10);
      expect(lots[1].expires_at).toBeNull();
      expect(await getWallet(t.db, u)).toMatchObject({ balance: 100, expiring_30_days: 40 });
      await expectDatabaseError(setCreditPackExpiryDays(t.db, 0), "22023", /pack expiry/);
    });

    it("grants an admin's promotional credits with an expiry, and refuses an expiry in the past or on a deduction", async () => {
      const u = await user();
      const at = new Date(Date.now() + 5 * 86_400_000);
      await promo(u, 25, at);
      expect(await listCreditLots(t.db, u)).toMatchObject([
        { source: "adjustment", category: "promotional", granted: 25, remaining: 25, expires_at: at },
      ]);
      await expectDatabaseError(promo(u, 5, new Date(Date.now() - 1000)), "22023", /future/);
      await expectDatabaseError(
        adjustCredits(t.db, { userId: u, delta: -5, reason: "x", adminId: admin, expiresAt: at }),
        "22023",
        /future/,
      );
      await hold(u, 20);
      await expectDatabaseError(
        adjustCredits(t.db, { userId: u, delta: -6, reason: "too much", adminId: admin }),
        "P0001",
        /insufficient/,
      );
      await adjustCredits(t.db, { userId: u, delta: -5, reason: "fits", adminId: admin });
      expect(await wallet(u)).toEqual({ balance: 20, available: 0, held: 20 });
    });

    it("expires a plan period's credits at the period's end, plus credit_plans.rollover_periods months", async () => {
      const u = await user();
      const periodEnd = new Date(Date.now() + 10 * 86_400_000);
      const invoicePaid = (plan: string) =>
        t.db.query("select public.webhook_action_subscription_invoice_paid($1::jsonb) as r", [
          JSON.stringify({
            invoice_id: `in_${unique()}`,
            subscription_id: `sub_${unique()}`,
            event_at: new Date().toISOString(),
            period_end: periodEnd.toISOString(),
            billing_reason: "subscription_cycle",
            amount_minor: 100_000,
            currency: "usd",
            plan_id: plan,
            user_id: u,
            event_id: `evt_${unique()}`,
          }),
        ]);
      const [plan] = await t.db.query<{ id: string; credits_per_period: string }>(
        "select id, credits_per_period::text from public.credit_plans order by id limit 1",
      );
      await invoicePaid(plan.id);
      await t.db.query("update public.credit_plans set rollover_periods = 2 where id = $1", [plan.id]);
      try {
        await invoicePaid(plan.id);
      } finally {
        await t.db.query("update public.credit_plans set rollover_periods = 0 where id = $1", [plan.id]);
      }
      const lots = await listCreditLots(t.db, u);
      expect(lots.map((l) => [l.source, l.category, l.granted])).toEqual([
        ["plan", "paid", Number(plan.credits_per_period)],
        ["plan", "paid", Number(plan.credits_per_period)],
      ]);
      expect(lots[0].expires_at!.getTime()).toBe(periodEnd.getTime());
      const rolled = new Date(periodEnd);
      rolled.setUTCMonth(rolled.getUTCMonth() + 2);
      expect(Math.abs(lots[1].expires_at!.getTime() - rolled.getTime())).toBeLessThan(2 * 86_400_000);
      expect((await getWallet(t.db, u))?.next_expiry_at?.getTime()).toBe(periodEnd.getTime());
    });

    it("keeps balance = ledger = lots - debt for every wallet after all of the above", async () => {
      expect(await creditInvariantViolations(t.db)).toEqual([]);
    });
  });
});
