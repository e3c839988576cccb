/** The credit SQL functions, called the way the app calls them (lib/db/rpc), on every target. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { localCreateAccount, localFindAccount } from "@/lib/db/rpc/local-accounts";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { type GrantArgs } from "@/lib/db/rpc/credits";
import { healthCheck } from "@/lib/db/rpc/ops";
import { balanceOf, confirmEmail, createUser, targets } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";
import { claimPendingCreditGrants, reversePurchaseCredits, spendCredits } from "../helpers/credit-rpc";
import { expectDatabaseError, rowCounts } from "../helpers/sql-assertions";

describe.each(targets)("credit functions on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });

  const grant = (a: Partial<GrantArgs> & { externalId: string }) => grantStripePurchase(t.db, a);

  async function purchase(externalId: string) {
    const rows = await t.db.query<Record<string, unknown>>(
      "select * from public.purchases where provider = 'stripe' and external_id = $1",
      [externalId],
    );
    return rows[0];
  }

  async function ledgerOf(purchaseId: string) {
    // xmin (the inserting transaction) breaks ties: PGlite's clock can give two statements one created_at
    return t.db.query<{ kind: string; delta: string }>(
      "select kind, delta::text from public.credit_ledger where purchase_id = $1 order by created_at, xmin::text::bigint, id",
      [purchaseId],
    );
  }

  describe("grant_credits_for_purchase", () => {
    it("grants to the user given by id and returns the new balance", async () => {
      const user = await createUser(t.db, `grant-${unique()}@example.com`);
      const result = await grant({ externalId: `pi_${unique()}`, userId: user, credits: 250 });
      expect(result).toMatchObject({ outcome: "granted", user_id: user, balance: 250, credits: 250 });
      expect(await balanceOf(t.db, user)).toBe(250);
      expect(await ledgerOf(result.purchase_id)).toEqual([{ kind: "purchase", delta: "250" }]);
    });

    it("finds the buyer by e-mail, case-insensitively, when no user id is given", async () => {
      const email = `Mixed.Case-${unique()}@Example.com`;
      const user = await createUser(t.db, email);
      const result = await grant({ externalId: `pi_${unique()}`, email: email.toUpperCase() });
      expect(result).toMatchObject({ outcome: "granted", user_id: user, balance: 100 });
    });

    it("files a pending grant when no account has the e-mail", async () => {
      const email = `nobody-${unique()}@example.com`;
      const externalId = `pi_${unique()}`;
      const result = await grant({ externalId, email: `  ${email.toUpperCase()} ` });
      expect(result).toMatchObject({ outcome: "pending", user_id: null, balance: null, credits: 100, email });
      expect(await purchase(externalId)).toMatchObject({ status: "pending_user", user_id: null, email });
      const grants = await t.db.query(
        "select email, credits::int, claimed_at from public.pending_credit_grants where purchase_id = $1",
        [result.purchase_id],
      );
      expect(grants).toEqual([{ email, credits: 100, claimed_at: null }]);
      expect(await ledgerOf(result.purchase_id)).toEqual([]);
    });

    it("reports a second call with the same provider and external id as duplicate and grants nothing", async () => {
      const user = await createUser(t.db, `dup-${unique()}@example.com`);
      const externalId = `pi_${unique()}`;
      const first = await grant({ externalId, userId: user });
      const second = await grant({ externalId, userId: user, credits: 999 });
      expect(second).toMatchObject({
        outcome: "duplicate",
        purchase_id: first.purchase_id,
        user_id: user,
        balance: 100,
        credits: 100,
      });
      expect(await balanceOf(t.db, user)).toBe(100);
      expect(await ledgerOf(first.purchase_id)).toHaveLength(1);
    });

    it("treats the same external id from another provider as another payment", async () => {
      const user = await createUser(t.db, `two-providers-${unique()}@example.com`);
      const externalId = `ref_${unique()}`;
      await grant({ externalId, userId: user, provider: "stripe" });
      const other = await grant({ externalId, userId: user, provider: "paystack" });
      expect(other.outcome).toBe("granted");
      expect(await balanceOf(t.db, user)).toBe(200);
    });

    it("reports a duplicate of a pending purchase as duplicate and files no second grant", async () => {
      const email = `pending-dup-${unique()}@example.com`;
      const externalId = `pi_${unique()}`;
      const first = await grant({ externalId, email });
      const second = await grant({ externalId, email });
      expect(second).toMatchObject({ outcome: "duplicate", purchase_id: first.purchase_id, user_id: null });
      const [{ n }] = await t.db.query<{ n: number }>(
        "select count(*)::int as n from public.pending_credit_grants where purchase_id = $1",
        [first.purchase_id],
      );
      expect(n).toBe(1);
    });

    it("takes the credits from the package when p_credits is null", async () => {
      const user = await createUser(t.db, `package-${unique()}@example.com`);
      const externalId = `cs_${unique()}`;
      const result = await grant({ externalId, userId: user, credits: null, packageId: "pro", amountMinor: 2500 });
      expect(result).toMatchObject({ outcome: "granted", credits: 550, balance: 550 });
      expect(await purchase(externalId)).toMatchObject({
        package_id: "pro",
        amount_minor: expect.anything(),
        currency: "usd",
      });
    });

    it("raises 'unknown package' (P0002) and writes nothing for a package that does not exist", async () => {
      const user = await createUser(t.db, `nopack-${unique()}@example.com`);
      const before = await rowCounts(t.db);
      await expectDatabaseError(
        grant({ externalId: `cs_${unique()}`, userId: user, credits: null, packageId: "no_such_pack" }),
        "P0002",
        /unknown package: no_such_pack/,
      );
      await expectDatabaseError(
        grant({ externalId: `cs_${unique()}`, userId: user, credits: 10, packageId: "no_such_pack" }),
        "P0002",
        /unknown package: no_such_pack/,
      );
      await expectDatabaseError(
        grant({ externalId: `cs_${unique()}`, userId: user, credits: null, packageId: null }),
        "P0002",
        /unknown package: none/,
      );
      expect(await rowCounts(t.db)).toEqual(before);
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("prefers the user id over the e-mail", async () => {
      const byId = await createUser(t.db, `by-id-${unique()}@example.com`);
      const byEmail = `by-email-${unique()}@example.com`;
      const other = await createUser(t.db, byEmail);
      await grant({ externalId: `pi_${unique()}`, userId: byId, email: byEmail });
      expect(await balanceOf(t.db, byId)).toBe(100);
      expect(await balanceOf(t.db, other)).toBe(0);
    });
  });

  describe("claim_pending_credit_grants", () => {
    it("credits every unclaimed grant filed for the e-mail, once", async () => {
      const email = `claim-${unique()}@example.com`;
      const a = await grant({ externalId: `pi_${unique()}`, email, credits: 100 });
      const b = await grant({ externalId: `pi_${unique()}`, email: email.toUpperCase(), credits: 40 });
      // an account with another e-mail claims explicitly (as the trigger does for a new account)
      const user = await createUser(t.db, `claimer-${unique()}@example.com`);
      expect(await claimPendingCreditGrants(t.db, user, email.toUpperCase())).toBe(140);
      expect(await claimPendingCreditGrants(t.db, user, email)).toBe(0);
      expect(await balanceOf(t.db, user)).toBe(140);
      const grants = await t.db.query<{ claimed_by: string; claimed: boolean }>(
        "select claimed_by, claimed_at is not null as claimed from public.pending_credit_grants where purchase_id = any($1::uuid[])",
        [[a.purchase_id, b.purchase_id]],
      );
      expect(grants).toEqual([
        { claimed_by: user, claimed: true },
        { claimed_by: user, claimed: true },
      ]);
      for (const p of [a, b]) {
        expect(await ledgerOf(p.purchase_id)).toEqual([{ kind: "claim", delta: String(p.credits) }]);
        const [row] = await t.db.query("select status, user_id from public.purchases where id = $1", [p.purchase_id]);
        expect(row).toEqual({ status: "completed", user_id: user });
      }
    });

    it("returns 0 when nothing is pending for the e-mail", async () => {
      const user = await createUser(t.db, `nothing-${unique()}@example.com`);
      expect(await claimPendingCreditGrants(t.db, user, `nothing-else-${unique()}@example.com`)).toBe(0);
    });

    it("requires a user id and an e-mail", async () => {
      const user = await createUser(t.db, `needs-email-${unique()}@example.com`);
      await expectDatabaseError(claimPendingCreditGrants(t.db, user, "  "), "22023", /user id and email are required/);
    });
  });

  describe("reverse_purchase_credits", () => {
    async function bought(credits = 100, amountMinor = 1000) {
      const user = await createUser(t.db, `reverse-${unique()}@example.com`);
      const externalId = `pi_${unique()}`;
      const g = await grant({ externalId, userId: user, credits, amountMinor });
      return { user, externalId, purchaseId: g.purchase_id };
    }
    const refund = (externalId: string, refundedMinor: number, reference = `ch_${externalId}`) =>
      reversePurchaseCredits(t.db, { provider: "stripe", externalId, kind: "refund", reference, refundedMinor });
    const dispute = (externalId: string, kind: "dispute" | "dispute_reinstated" | "dispute_lost", reference = "dp_1") =>
      reversePurchaseCredits(t.db, { provider: "stripe", externalId, kind, reference });

    it("reverses credits in proportion to the cumulative refunded amount, across replays and out-of-order partial refunds", async () => {
      const { user, externalId } = await bought(100, 1000);
      expect(await refund(externalId, 250)).toMatchObject({
        outcome: "reversed",
        credits_reversed: 25,
        status: "partially_refunded",
        balance: 75,
      });
      expect(await refund(externalId, 250)).toMatchObject({ outcome: "unchanged", credits_reversed: 0, balance: 75 });
      expect(await refund(externalId, 600)).toMatchObject({
        credits_reversed: 35,
        status: "partially_refunded",
        balance: 40,
      });
      // the 25 % refund event delivered late: the cumulative amount is lower, nothing more to take
      expect(await refund(externalId, 250)).toMatchObject({ outcome: "unchanged", credits_reversed: 0, balance: 40 });
      expect(await refund(externalId, 1000)).toMatchObject({ credits_reversed: 40, status: "refunded", balance: 0 });
      expect(await refund(externalId, 1000)).toMatchObject({ outcome: "unchanged", balance: 0 });
      expect(await purchase(externalId)).toMatchObject({ status: "refunded", refunded_minor: expect.anything() });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("rounds partial refunds down and never reverses more than the purchase", async () => {
      const { externalId, purchaseId } = await bought(10, 300);
      expect((await refund(externalId, 100)).credits_reversed).toBe(3); // 10 * 100 / 300 = 3.33
      expect((await refund(externalId, 5000)).credits_reversed).toBe(7); // capped at the amount paid
      const ledger = await ledgerOf(purchaseId);
      expect(ledger.reduce((sum, r) => sum + Number(r.delta), 0)).toBe(0);
    });

    it("reverses all the credits on a full refund and marks the purchase refunded", async () => {
      const { user, externalId } = await bought(100, 1000);
      expect(await refund(externalId, 1000)).toMatchObject({ credits_reversed: 100, status: "refunded", balance: 0 });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("reverses what refunds left when a dispute opens, once", async () => {
      const { user, externalId } = await bought(100, 1000);
      await refund(externalId, 300);
      expect(await dispute(externalId, "dispute")).toMatchObject({
        credits_reversed: 70,
        status: "disputed",
        balance: 0,
      });
      expect(await dispute(externalId, "dispute")).toMatchObject({
        outcome: "unchanged",
        credits_reversed: 0,
        balance: 0,
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("gives the disputed credits back when the dispute is won (dispute_reinstated)", async () => {
      const { user, externalId, purchaseId } = await bought(100, 1000);
      await refund(externalId, 300);
      await dispute(externalId, "dispute");
      expect(await dispute(externalId, "dispute_reinstated")).toMatchObject({
        credits_reversed: -70,
        status: "partially_refunded",
        balance: 70,
      });
      expect(await dispute(externalId, "dispute_reinstated")).toMatchObject({ outcome: "unchanged", balance: 70 });
      // "dispute created" redelivered after the close: settled already, nothing taken again
      expect(await dispute(externalId, "dispute")).toMatchObject({ outcome: "unchanged", balance: 70 });
      expect((await ledgerOf(purchaseId)).map((r) => r.kind)).toEqual([
        "purchase",
        "refund",
        "dispute",
        "dispute_reinstated",
      ]);
      expect(await balanceOf(t.db, user)).toBe(70);
    });

    it("restores 'completed' when a dispute of an unrefunded purchase is won", async () => {
      const { externalId } = await bought();
      await dispute(externalId, "dispute");
      expect(await dispute(externalId, "dispute_reinstated")).toMatchObject({ status: "completed", balance: 100 });
    });

    it("marks the purchase reversed when the dispute is lost, and will not reinstate it afterwards", async () => {
      const { user, externalId } = await bought();
      await dispute(externalId, "dispute");
      expect(await dispute(externalId, "dispute_lost")).toMatchObject({
        credits_reversed: 0,
        status: "reversed",
        balance: 0,
      });
      expect(await dispute(externalId, "dispute_lost")).toMatchObject({ status: "reversed", balance: 0 });
      expect(await dispute(externalId, "dispute_reinstated")).toMatchObject({
        outcome: "unchanged",
        status: "reversed",
      });
      await expectDatabaseError(dispute(externalId, "dispute_reinstated", "dp_other"), "22023", /cannot reinstate/);
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("reverses the remaining credits when a lost dispute arrives without its 'created' event", async () => {
      const { externalId } = await bought();
      expect(await dispute(externalId, "dispute_lost")).toMatchObject({
        credits_reversed: 100,
        status: "reversed",
        balance: 0,
      });
      expect(await dispute(externalId, "dispute")).toMatchObject({
        outcome: "unchanged",
        status: "reversed",
        balance: 0,
      });
    });

    it("raises 'purchase not found' (P0002) for a refund that arrives before its purchase, and writes nothing", async () => {
      const before = await rowCounts(t.db);
      await expectDatabaseError(refund(`pi_unseen_${unique()}`, 500), "P0002", /purchase not found/);
      await expectDatabaseError(dispute(`pi_unseen_${unique()}`, "dispute"), "P0002", /purchase not found/);
      expect(await rowCounts(t.db)).toEqual(before);
    });

    it("shrinks the pending grant when the payment is reversed before the buyer signs up", async () => {
      const email = `late-signup-${unique()}@example.com`;
      const externalId = `pi_${unique()}`;
      const g = await grant({ externalId, email, credits: 100, amountMinor: 1000 });
      expect(await refund(externalId, 400)).toMatchObject({ credits_reversed: 40, user_id: null, balance: null });
      const [pending] = await t.db.query<{ credits: number }>(
        "select credits::int from public.pending_credit_grants where purchase_id = $1",
        [g.purchase_id],
      );
      expect(pending.credits).toBe(60);
      const user = await createUser(t.db, email);
      expect(await balanceOf(t.db, user)).toBe(60);
      expect(await purchase(externalId)).toMatchObject({ user_id: user, status: "partially_refunded" });
      // after sign-up, later refunds come out of the wallet
      expect(await refund(externalId, 1000)).toMatchObject({ credits_reversed: 60, balance: 0 });
    });

    it("lets the balance go negative (owed) when the credits were already spent", async () => {
      const { user, externalId } = await bought(100, 1000);
      await spendCredits(t.db, user, 80, "spend-before-refund");
      expect(await refund(externalId, 1000)).toMatchObject({ credits_reversed: 100, balance: -80 });
      expect(await balanceOf(t.db, user)).toBe(-80);
    });
  });

  describe("spend_credits", () => {
    it("spends once per idempotency key", async () => {
      const user = await createUser(t.db, `spend-${unique()}@example.com`);
      await grant({ externalId: `pi_${unique()}`, userId: user });
      expect(await spendCredits(t.db, user, 30, "order-1")).toEqual({ outcome: "spent", balance: 70 });
      expect(await spendCredits(t.db, user, 30, "order-1")).toEqual({ outcome: "duplicate", balance: 70 });
      expect(await spendCredits(t.db, user, 30, "order-2")).toEqual({ outcome: "spent", balance: 40 });
      expect(await balanceOf(t.db, user)).toBe(40);
    });

    it("refuses to overdraw and writes nothing", async () => {
      const user = await createUser(t.db, `overdraw-${unique()}@example.com`);
      await grant({ externalId: `pi_${unique()}`, userId: user, credits: 10 });
      const before = await rowCounts(t.db);
      await expectDatabaseError(
        spendCredits(t.db, user, 11, "too-much"),
        "P0001",
        /insufficient credits: balance 10, requested 11/,
      );
      expect(await rowCounts(t.db)).toEqual(before);
      expect(await spendCredits(t.db, user, 10, "exactly-all")).toEqual({ outcome: "spent", balance: 0 });
    });

    it("raises 'wallet not found' for a user without a wallet", async () => {
      await expectDatabaseError(spendCredits(t.db, randomUUID(), 1, "ghost"), "P0002", /wallet not found/);
    });
  });

  describe("sync_admin_emails", () => {
    it("marks exactly the listed e-mails as admins, case-insensitively, and reports rows changed", async () => {
      const admin = `admin-${unique()}@example.com`;
      const plain = `plain-${unique()}@example.com`;
      const adminId = await createUser(t.db, admin.toUpperCase());
      const plainId = await createUser(t.db, plain);
      const isAdmin = async (id: string) =>
        (await t.db.query<{ is_admin: boolean }>("select is_admin from public.profiles where id = $1", [id]))[0]
          .is_admin;

      expect(await syncAdminEmails(t.db, [` ${admin} `])).toBe(1);
      expect([await isAdmin(adminId), await isAdmin(plainId)]).toEqual([true, false]);
      expect(await syncAdminEmails(t.db, [admin])).toBe(0);
      expect(await syncAdminEmails(t.db, [plain])).toBe(2);
      expect([await isAdmin(adminId), await isAdmin(plainId)]).toEqual([false, true]);
      expect(await syncAdminEmails(t.db, [])).toBe(1);
      expect(await isAdmin(plainId)).toBe(false);
    });
  });

  describe("health_check", () => {
    it("answers ok with the number of active packs", async () => {
      const health = await healthCheck(t.db);
      expect(health.ok).toBe(true);
      expect(health.packages).toBeGreaterThanOrEqual(3);
      expect(Number.isNaN(Date.parse(health.time))).toBe(false);
    });
  });

  describe("local accounts", () => {
    it("creates an account with a lower-case e-mail, a profile and a wallet", async () => {
      const email = `Local-${unique()}@Example.com`;
      const created = await localCreateAccount(t.db, email, "scrypt$hash");
      expect(created).toMatchObject({ created: true, email: email.toLowerCase() });
      if (!created.created) throw new Error("not created");
      expect(await balanceOf(t.db, created.user_id)).toBe(0);
      const [profile] = await t.db.query("select email, is_admin from public.profiles where id = $1", [
        created.user_id,
      ]);
      expect(profile).toEqual({ email: email.toLowerCase(), is_admin: false });
    });

    it("refuses a second account for the same e-mail in another case", async () => {
      const email = `taken-${unique()}@example.com`;
      await localCreateAccount(t.db, email, "scrypt$one");
      expect(await localCreateAccount(t.db, email.toUpperCase(), "scrypt$two")).toEqual({ created: false });
      expect((await localFindAccount(t.db, email))?.password_hash).toBe("scrypt$one");
    });

    it("finds an account by e-mail in any case, and returns null for an unknown e-mail", async () => {
      const email = `find-${unique()}@example.com`;
      const created = await localCreateAccount(t.db, email, "scrypt$find");
      if (!created.created) throw new Error("not created");
      expect(await localFindAccount(t.db, ` ${email.toUpperCase()} `)).toEqual({
        user_id: created.user_id,
        email,
        password_hash: "scrypt$find",
        email_confirmed: false,
        disabled: false,
      });
      expect(await localFindAccount(t.db, `missing-${unique()}@example.com`)).toBeNull();
    });

    it("rejects an invalid e-mail or an empty password hash", async () => {
      await expectDatabaseError(localCreateAccount(t.db, "not-an-email", "scrypt$x"), "22023", /invalid email/);
      await expectDatabaseError(
        localCreateAccount(t.db, `ok-${unique()}@example.com`, ""),
        "22023",
        /password hash required/,
      );
    });

    it("claims credits bought before the account existed once its e-mail is confirmed, not before", async () => {
      const email = `bought-first-${unique()}@example.com`;
      await grant({ externalId: `pi_${unique()}`, email, credits: 70 });
      const created = await localCreateAccount(t.db, email.toUpperCase(), "scrypt$x");
      if (!created.created) throw new Error("not created");
      expect(await balanceOf(t.db, created.user_id)).toBe(0);
      await confirmEmail(t.db, created.user_id);
      expect(await balanceOf(t.db, created.user_id)).toBe(70);
    });
  });

  describe("upsert_subscription", () => {
    const upsert = (externalId: string, status: string, eventAt: string, extra: Record<string, unknown> = {}) =>
      t.db.rpc("upsert_subscription", {
        p_provider: "stripe",
        p_external_id: externalId,
        p_status: status,
        p_customer_id: "cus_1",
        p_user_id: null,
        p_email: null,
        p_package_id: null,
        p_credits_per_period: null,
        p_current_period_end: null,
        p_cancel_at_period_end: false,
        p_event_at: eventAt,
        ...extra,
      });
    const stateOf = async (externalId: string) =>
      (
        await t.db.query(
          "select status, user_id, credits_per_period::int from public.subscriptions where external_id = $1",
          [externalId],
        )
      )[0];

    it("keeps the state of the newest event: a late older event is reported stale", async () => {
      const email = `sub-${unique()}@example.com`;
      const user = await createUser(t.db, email);
      const sub = `sub_${unique()}`;
      expect(
        await upsert(sub, "active", "2026-01-02T00:00:00Z", {
          p_email: email.toUpperCase(),
          p_credits_per_period: 500,
        }),
      ).toMatchObject({ outcome: "updated", status: "active" });
      expect(await upsert(sub, "incomplete", "2026-01-01T00:00:00Z")).toEqual({ outcome: "stale" });
      expect(await stateOf(sub)).toEqual({ status: "active", user_id: user, credits_per_period: 500 });
      expect(await upsert(sub, "canceled", "2026-01-03T00:00:00Z")).toMatchObject({
        outcome: "updated",
        status: "canceled",
      });
      expect(await stateOf(sub)).toEqual({ status: "canceled", user_id: user, credits_per_period: 500 });
    });

    it("requires a subscription id, a status and an event time", async () => {
      await expectDatabaseError(upsert("", "active", "2026-01-01T00:00:00Z"), "22023", /required/);
      await expectDatabaseError(upsert(`sub_${unique()}`, "active", null as unknown as string), "22023", /required/);
    });
  });
});
