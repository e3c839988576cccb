/**
 * hold.expired (SPEC §6c, §6d): a hold that passes its expiry uncaptured is
 * marked expired by whichever transaction settles its wallet first (the
 * sweep's expire_credit_holds, or a spend, hold or capture that finds it past
 * its expiry), and that transaction writes one hold.expired, once per hold.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createWebhookEndpoint } from "@/lib/db/rpc/outgoing-webhooks";
import { spendCredits } from "../helpers/credit-rpc";
import { createUser, targets } from "../helpers/databases";
import { grantStripePurchase, unique, useTestDatabase } from "../helpers/test-database";

describe.each(targets)("hold.expired on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });

  beforeEach(async () => {
    await t.db.query("update public.webhook_endpoints set enabled = false");
    await createWebhookEndpoint(t.db, "https://hooks.example.com/credits", ["hold.expired"]);
  });

  const expiredEvents = (userId: string) =>
    t.db.query<{ data: Record<string, unknown> }>(
      "select data from public.outgoing_events where type = 'hold.expired' and data ->> 'user_id' = $1",
      [userId],
    );
  const holdFor = async (userId: string, reason: string) => {
    const rows = await t.db.query<{ r: { hold: { id: string } } }>(
      "select public.create_credit_hold($1, 30, $2, $3, 1) as r",
      [userId, `hold-${unique()}`, reason],
    );
    return rows[0].r.hold.id;
  };
  const pastExpiry = () => new Promise((resolve) => setTimeout(resolve, 1_100));
  const sweep = async () => (await t.db.query<{ n: number }>("select public.expire_credit_holds() as n"))[0].n;

  it("writes one hold.expired when the sweep expires a hold, and nothing when it runs again", async () => {
    const user = await createUser(t.db, `hold-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    const holdId = await holdFor(user, "render job 42");
    await pastExpiry();
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    expect(await sweep()).toBe(0);
    const events = await expiredEvents(user);
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ hold_id: holdId, user_id: user, amount: 30, reason: "render job 42" });
  });

  it("writes it once when a spend settles the expired hold before the sweep does", async () => {
    const user = await createUser(t.db, `hold-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    await holdFor(user, "stream");
    await pastExpiry();
    await spendCredits(t.db, user, 5, `spend-${unique()}`); // settles the wallet: the hold is expired now
    expect(await expiredEvents(user)).toHaveLength(1);
    await sweep();
    expect(await expiredEvents(user)).toHaveLength(1);
  });

  it("writes nothing for a hold that was captured or released", async () => {
    const user = await createUser(t.db, `hold-${unique()}@example.com`);
    await grantStripePurchase(t.db, { externalId: `cs_${unique()}`, userId: user });
    const captured = await holdFor(user, "captured");
    const released = await holdFor(user, "released");
    await t.db.query("select public.capture_credit_hold($1, $2)", [user, captured]);
    await t.db.query("select public.release_credit_hold($1, $2)", [user, released]);
    await pastExpiry();
    await sweep();
    expect(await expiredEvents(user)).toEqual([]);
  });
});
