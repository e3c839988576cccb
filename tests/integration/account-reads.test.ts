/**
 * The reads behind /wallet and /purchases (get_wallet, list_credit_ledger,
 * list_purchases, take_claim_notices): service-role functions filtered by
 * p_user_id, so every one is checked for returning one user's rows only, for
 * keyset paging that neither skips nor repeats rows sharing a timestamp, and
 * for the empty state. Through the typed wrappers in lib/db/rpc/credits.ts.
 */
import { describe, expect, it } from "vitest";
import {
  getWallet,
  listCreditLedger,
  listPurchases,
  takeClaimNotices,
  type Cursor,
  type Page,
} from "@/lib/db/rpc/credits";
import { createUser, targets } from "../helpers/databases";
import { useTestDatabase } from "../helpers/test-database";
import { uid } from "../helpers/stripe";

describe.each(targets)("account reads on %s", (target) => {
  const t = useTestDatabase(target);

  /**
   * `count` starter purchases (100 credits each) for the user, all in one statement:
   * one transaction, so every purchase and ledger row has the same created_at.
   */
  async function grantInOneTransaction(userId: string, count: number, tag: string): Promise<void> {
    await t.db.query(
      `select public.grant_credits_for_purchase('stripe', $2 || '_' || i, $1::uuid, null, null, 500, 'usd', 'starter', null)
         from generate_series(1, $3::int) i`,
      [userId, uid(tag), count],
    );
  }

  /** Every page of a keyset-paginated list, following `next` until it is null. */
  async function allPages<Row>(read: (before?: Cursor) => Promise<Page<Row>>): Promise<Row[][]> {
    const pages: Row[][] = [];
    let before: Cursor | undefined;
    do {
      const page = await read(before);
      pages.push(page.rows);
      before = page.next ?? undefined;
      expect(pages.length).toBeLessThan(50);
    } while (before);
    return pages;
  }

  it("returns only the asked user's wallet, ledger and purchases", async () => {
    const [alice, bob] = [
      await createUser(t.db, `${uid("alice")}@example.com`),
      await createUser(t.db, `${uid("bob")}@example.com`),
    ];
    await grantInOneTransaction(alice, 3, "pi_alice");
    await grantInOneTransaction(bob, 2, "pi_bob");
    await t.db.query("select public.spend_credits($1, 30, $2)", [bob, uid("spend")]);

    expect(await getWallet(t.db, alice)).toMatchObject({ balance: 300 });
    expect(await getWallet(t.db, bob)).toMatchObject({ balance: 170 });

    const aliceLedger = await listCreditLedger(t.db, alice);
    expect(aliceLedger.rows.map((r) => [r.kind, r.delta])).toEqual([
      ["purchase", 100],
      ["purchase", 100],
      ["purchase", 100],
    ]);
    const bobLedger = await listCreditLedger(t.db, bob);
    expect(bobLedger.rows.map((r) => r.delta).sort((a, b) => a - b)).toEqual([-30, 100, 100]);

    const alicePurchases = await listPurchases(t.db, alice);
    const bobPurchases = await listPurchases(t.db, bob);
    expect(alicePurchases.rows).toHaveLength(3);
    expect(bobPurchases.rows).toHaveLength(2);
    const owners = await t.db.query<{ id: string; user_id: string }>(
      "select id, user_id from purchases where user_id = any($1::uuid[])",
      [[alice, bob]],
    );
    const ownerOf = new Map(owners.map((o) => [o.id, o.user_id]));
    expect(alicePurchases.rows.map((p) => ownerOf.get(p.id))).toEqual([alice, alice, alice]);
    expect(bobPurchases.rows.map((p) => ownerOf.get(p.id))).toEqual([bob, bob]);
    expect(
      alicePurchases.rows.every((p) => p.credits === 100 && p.package_name !== null && p.status === "completed"),
    ).toBe(true);
  });

  it("pages the ledger and the purchases across rows with equal timestamps, each row once, newest first", async () => {
    const [owner, neighbour] = [
      await createUser(t.db, `${uid("pager")}@example.com`),
      await createUser(t.db, `${uid("near")}@example.com`),
    ];
    await grantInOneTransaction(owner, 25, "pi_page");
    await grantInOneTransaction(neighbour, 4, "pi_near");
    await grantInOneTransaction(owner, 2, "pi_later");

    const stamps = await t.db.query<{ n: string }>(
      "select count(distinct created_at) n from credit_ledger where user_id = $1",
      [owner],
    );
    expect(Number(stamps[0].n)).toBe(2); // 25 rows share one created_at: the id must break the tie

    const expectedLedger = (
      await t.db.query<{ id: string }>(
        "select id from credit_ledger where user_id = $1 order by created_at desc, id desc",
        [owner],
      )
    ).map((r) => r.id);
    const ledgerPages = await allPages((before) => listCreditLedger(t.db, owner, { before, limit: 10 }));
    expect(ledgerPages.map((p) => p.length)).toEqual([10, 10, 7]);
    expect(ledgerPages.flat().map((r) => r.id)).toEqual(expectedLedger);

    const expectedPurchases = (
      await t.db.query<{ id: string }>(
        "select id from purchases where user_id = $1 order by created_at desc, id desc",
        [owner],
      )
    ).map((r) => r.id);
    const purchasePages = await allPages((before) => listPurchases(t.db, owner, { before, limit: 4 }));
    expect(purchasePages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 4, 3]);
    expect(purchasePages.flat().map((r) => r.id)).toEqual(expectedPurchases);
    expect(expectedPurchases).toHaveLength(27);
  });

  it("has an empty state: a new user's wallet is 0, lists are empty with no next page, no claim notice", async () => {
    const user = await createUser(t.db, `${uid("empty")}@example.com`);
    expect(await getWallet(t.db, user)).toMatchObject({ balance: 0 });
    expect(await listCreditLedger(t.db, user)).toEqual({ rows: [], next: null });
    expect(await listPurchases(t.db, user)).toEqual({ rows: [], next: null });
    expect(await takeClaimNotices(t.db, user)).toEqual({ grants: 0, credits: 0 });
    expect(await getWallet(t.db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("announces claimed credits once, to their claimer only", async () => {
    const email = `${uid("claimer")}@example.com`;
    await t.db.query("select public.grant_credits_for_purchase('stripe', $1, null, $2, 40, 400, 'usd', null, null)", [
      uid("pi_claim"),
      email,
    ]);
    await t.db.query("select public.grant_credits_for_purchase('stripe', $1, null, $2, 2, 100, 'usd', null, null)", [
      uid("pi_claim"),
      email,
    ]);
    const claimer = await createUser(t.db, email);
    const stranger = await createUser(t.db, `${uid("stranger")}@example.com`);
    // claimed at sign-up (or here, where sign-up waits for a confirmed e-mail); a second claim adds nothing
    await t.db.query("select public.claim_pending_credit_grants($1, $2)", [claimer, email]);

    expect(await takeClaimNotices(t.db, stranger)).toEqual({ grants: 0, credits: 0 });
    expect(await takeClaimNotices(t.db, claimer)).toEqual({ grants: 2, credits: 42 });
    expect(await takeClaimNotices(t.db, claimer)).toEqual({ grants: 0, credits: 0 });
    expect(await getWallet(t.db, claimer)).toMatchObject({ balance: 42 });
    expect((await listCreditLedger(t.db, claimer)).rows.map((r) => r.kind)).toEqual(["claim", "claim"]);
    expect(await listCreditLedger(t.db, stranger)).toEqual({ rows: [], next: null });
  });
});
