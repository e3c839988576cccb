/** Credits bought before the buyer has an account are claimed when the account appears (auth.users trigger). */
import { describe, expect, it } from "vitest";
import { type GrantArgs } from "@/lib/db/rpc/credits";
import { balanceOf, createUser, targets, walletsOffLedger } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";

describe.each(targets)("pending credit grants on %s", (target) => {
  const t = useTestDatabase(target);

  const grant = (a: Partial<GrantArgs> & { externalId: string }) => grantStripePurchase(t.db, a);

  it("credits a purchase made by an unknown e-mail once, when an account with that e-mail in other case signs up", async () => {
    const email = `early.buyer-${unique()}@example.com`;
    const externalId = `cs_${unique()}`;
    const pending = await grant({ externalId, email, credits: 300 });
    expect(pending.outcome).toBe("pending");

    const [{ id: user }] = await t.db.query<{ id: string }>(
      "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
      [email.toUpperCase()],
    );

    expect(await balanceOf(t.db, user)).toBe(300);
    const ledger = await t.db.query(
      "select kind, delta::int, purchase_id from public.credit_ledger where user_id = $1",
      [user],
    );
    expect(ledger).toEqual([{ kind: "claim", delta: 300, purchase_id: pending.purchase_id }]);

    const [grantRow] = await t.db.query<{ claimed_at: Date | null; claimed_by: string | null; credits: number }>(
      "select claimed_at, claimed_by, credits::int from public.pending_credit_grants where purchase_id = $1",
      [pending.purchase_id],
    );
    expect(grantRow.claimed_at).toBeInstanceOf(Date);
    expect(grantRow.claimed_by).toBe(user);
    expect(grantRow.credits).toBe(300);

    const [purchase] = await t.db.query("select status, user_id from public.purchases where id = $1", [
      pending.purchase_id,
    ]);
    expect(purchase).toEqual({ status: "completed", user_id: user });

    // the provider redelivers the payment after the claim: still once
    expect(await grant({ externalId, email, credits: 300 })).toMatchObject({
      outcome: "duplicate",
      user_id: user,
      balance: 300,
    });
    expect(await balanceOf(t.db, user)).toBe(300);
  });

  it("claims every pending purchase of that e-mail, and none of other e-mails", async () => {
    const email = `many-${unique()}@example.com`;
    const other = `other-${unique()}@example.com`;
    await grant({ externalId: `pi_${unique()}`, email, credits: 100 });
    await grant({ externalId: `pi_${unique()}`, email: email.toUpperCase(), credits: 20, provider: "paystack" });
    const otherGrant = await grant({ externalId: `pi_${unique()}`, email: other, credits: 5 });

    const user = await createUser(t.db, email);
    expect(await balanceOf(t.db, user)).toBe(120);
    const [left] = await t.db.query<{ claimed_at: Date | null }>(
      "select claimed_at from public.pending_credit_grants where purchase_id = $1",
      [otherGrant.purchase_id],
    );
    expect(left.claimed_at).toBeNull();
  });

  it("grants directly, with no pending grant, once the account exists", async () => {
    const email = `after-signup-${unique()}@example.com`;
    const user = await createUser(t.db, email);
    const result = await grant({ externalId: `pi_${unique()}`, email: email.toUpperCase() });
    expect(result).toMatchObject({ outcome: "granted", user_id: user, balance: 100 });
    const [{ n }] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from public.pending_credit_grants where purchase_id = $1",
      [result.purchase_id],
    );
    expect(n).toBe(0);
  });

  it("creates the profile and an empty wallet for an account with nothing pending", async () => {
    const email = `fresh-${unique()}@example.com`;
    const user = await createUser(t.db, email);
    expect(await balanceOf(t.db, user)).toBe(0);
    const [profile] = await t.db.query("select email, is_admin from public.profiles where id = $1", [user]);
    expect(profile).toEqual({ email, is_admin: false });
    expect(await walletsOffLedger(t.db)).toEqual([]);
  });
});
