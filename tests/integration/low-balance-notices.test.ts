/**
 * Low-balance notices (SPEC §6d): when a debit takes the balance from at least
 * the threshold to below it, one e-mail and one balance.low; when a grant
 * brings it back, one balance.recovered; once per crossing, also when 40
 * spends race on one wallet (decided in SQL under the wallet row lock).
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  createWebhookEndpoint,
  getLowBalanceSettings,
  setDefaultLowBalanceThreshold,
  setLowBalanceThreshold,
} from "@/lib/db/rpc/outgoing-webhooks";
import { spendCredits } from "../helpers/credit-rpc";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";

describe.each(targets)("low-balance notices on %s", (target) => {
  const t = useTestDatabase(target, { poolMax: 45, checkLedger: true });

  beforeEach(async () => {
    await t.db.query("update public.webhook_endpoints set enabled = false");
    await createWebhookEndpoint(t.db, "https://hooks.example.com/credits", ["balance.low", "balance.recovered"]);
    await setDefaultLowBalanceThreshold(t.db, null);
  });

  const events = async (userId: string) =>
    t.db.query<{ type: string; data: { user_id: string; balance: number; threshold: number } }>(
      `select v.type, v.data from public.outgoing_events v
        where v.data ->> 'user_id' = $1 and v.type like 'balance.%' order by v.created_at, v.id`,
      [userId],
    );
  const mails = async (userId: string) =>
    t.db.query<{ subject: string; body_text: string }>(
      `select o.subject, o.body_text from public.email_outbox o
        join public.profiles p on lower(p.email) = o.to_email where p.id = $1 and o.kind = 'low_balance'`,
      [userId],
    );
  const fundedUser = async (credits: number) => {
    const user = await createUser(t.db, `low-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits });
    return user;
  };

  it("sends one balance.low and one e-mail when a spend crosses the user's threshold, and nothing below it", async () => {
    const user = await fundedUser(100);
    expect(await setLowBalanceThreshold(t.db, user, 50)).toMatchObject({ threshold: 50, source: "user", below: false });
    await spendCredits(t.db, user, 40, "a"); // 60: above
    expect(await events(user)).toEqual([]);
    await spendCredits(t.db, user, 15, "b"); // 45: crossed
    await spendCredits(t.db, user, 5, "c"); // 40: still below, nothing more
    expect(await events(user)).toEqual([
      { type: "balance.low", data: expect.objectContaining({ user_id: user, balance: 45, threshold: 50 }) },
    ]);
    const sent = await mails(user);
    expect(sent).toHaveLength(1);
    expect(sent[0].subject).toBe("Your credit balance is low");
    expect(sent[0].body_text).toContain("45 credits");
    expect(await getLowBalanceSettings(t.db, user)).toMatchObject({ threshold: 50, balance: 40, below: true });
  });

  it("sends balance.recovered once when a grant brings the balance back, and balance.low again on the next crossing", async () => {
    const user = await fundedUser(60);
    await setLowBalanceThreshold(t.db, user, 50);
    await spendCredits(t.db, user, 20, "a"); // 40
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits: 5 }); // 45: still below
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits: 100 }); // 145: recovered
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user, credits: 100 }); // 245: nothing
    await spendCredits(t.db, user, 200, "b"); // 45: low again
    expect((await events(user)).map((e) => [e.type, e.data.balance])).toEqual([
      ["balance.low", 40],
      ["balance.recovered", 145],
      ["balance.low", 45],
    ]);
    expect(await mails(user)).toHaveLength(2);
  });

  it("uses LOW_BALANCE_THRESHOLD for users without their own, and none for a user who turned it off", async () => {
    await setDefaultLowBalanceThreshold(t.db, 30);
    const byDefault = await fundedUser(100);
    const off = await fundedUser(100);
    expect(await setLowBalanceThreshold(t.db, off, null)).toMatchObject({ threshold: null, source: "user" });
    expect(await getLowBalanceSettings(t.db, byDefault)).toMatchObject({ threshold: 30, source: "default" });
    await spendCredits(t.db, byDefault, 80, "a");
    await spendCredits(t.db, off, 80, "a");
    expect((await events(byDefault)).map((e) => e.data.threshold)).toEqual([30]);
    expect(await events(off)).toEqual([]);
    expect(await mails(off)).toEqual([]);
  });

  it("refuses a threshold that is not a positive whole number, and changes nothing", async () => {
    const user = await fundedUser(10);
    await setLowBalanceThreshold(t.db, user, 5);
    await expect(setLowBalanceThreshold(t.db, user, 0)).rejects.toThrow(/threshold/);
    await expect(setLowBalanceThreshold(t.db, user, -3)).rejects.toThrow(/threshold/);
    await expect(setLowBalanceThreshold(t.db, "00000000-0000-4000-8000-000000000000", 5)).rejects.toThrow(/not found/);
    expect((await getLowBalanceSettings(t.db, user))?.threshold).toBe(5);
  });

  it("sends exactly one balance.low and one e-mail when 40 spends race across the threshold", async () => {
    const user = await fundedUser(400);
    await setLowBalanceThreshold(t.db, user, 200);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => spendCredits(t.db, user, 7, `race-${i}`)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(40);
    expect(await balanceOf(t.db, user)).toBe(400 - 280);
    const low = await events(user);
    expect(low.map((e) => e.type)).toEqual(["balance.low"]);
    expect(low[0].data.balance).toBeLessThan(200);
    expect(low[0].data.balance).toBeGreaterThanOrEqual(193);
    expect(await mails(user)).toHaveLength(1);
    const [deliveries] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from public.webhook_deliveries d join public.outgoing_events v on v.id = d.event_id
        where v.type = 'balance.low' and v.data ->> 'user_id' = $1`,
      [user],
    );
    expect(deliveries.n).toBe(1);
  });
});
