/**
 * The migration that introduced credit lots (…_holds_and_credit_lots.sql): each existing wallet's
 * balance becomes one never-expiring paid lot, a negative balance becomes the wallet's debt, and from
 * then on every invariant holds and every new ledger row moves lots.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { supabaseRoot } from "@/lib/db/migrate";
import { useDatabaseBeforeMigration } from "../helpers/database-before-migration";

const MIGRATION = fs
  .readdirSync(path.join(supabaseRoot(), "migrations"))
  .find((f) => f.endsWith("_holds_and_credit_lots.sql"))!;

describe("credit lots migration", () => {
  const before = useDatabaseBeforeMigration(MIGRATION);
  const db = before.db;

  it("turns each wallet's balance into one never-expiring paid lot, and a negative balance into debt", async () => {
    await before.migrateToBefore();
    const user = async (email: string) =>
      (await db.query<{ id: string }>("insert into auth.users (email) values ($1) returning id", [email]))[0].id;
    const rich = await user("rich@example.com");
    const owing = await user("owing@example.com");
    const empty = await user("empty@example.com");
    const ledger = (userId: string, delta: number, kind: string) =>
      db.query("insert into public.credit_ledger (user_id, delta, kind, reference) values ($1, $2, $3, $4)", [
        userId,
        delta,
        kind,
        `${kind}:${userId}:${delta}`,
      ]);
    await ledger(rich, 150, "adjustment");
    await ledger(rich, -30, "spend");
    await ledger(owing, 20, "adjustment");
    await ledger(owing, -50, "refund");

    expect(await before.applyMigration()).toContain(MIGRATION);

    const lots = await db.query<{
      user_id: string;
      source: string;
      category: string;
      granted: number;
      remaining: number;
      expires_at: unknown;
    }>(
      "select user_id, source, category, granted::int, remaining::int, expires_at from public.credit_lots order by granted desc",
    );
    const lot = (userId: string, granted: number) => ({
      user_id: userId,
      source: "migration",
      category: "paid",
      granted,
      remaining: granted,
      expires_at: null,
    });
    expect(lots).toHaveLength(3);
    expect(lots).toEqual(expect.arrayContaining([lot(rich, 120), lot(owing, 0), lot(empty, 0)]));
    const wallets = await db.query<{ user_id: string; balance: number; debt: number }>(
      "select user_id, balance::int, debt::int from public.wallets where user_id = any($1::uuid[]) order by balance desc",
      [[rich, owing, empty]],
    );
    expect(wallets).toEqual([
      { user_id: rich, balance: 120, debt: 0 },
      { user_id: empty, balance: 0, debt: 0 },
      { user_id: owing, balance: -30, debt: 30 },
    ]);
    expect(await db.query("select * from public.credit_invariant_violations()")).toEqual([]);

    // from now on the ledger moves lots: a spend takes from the migrated lot, a grant pays the debt first
    await db.query("select public.spend_credits($1, 20, 'after-migration')", [rich]);
    await db.query("select public.set_credit_pack_expiry_days(null)");
    const [{ r }] = await db.query<{ r: { outcome: string } }>(
      "select public.grant_credits_for_purchase('stripe', 'pi_after', $1, null, 50, 500, 'usd') as r",
      [owing],
    );
    expect(r.outcome).toBe("granted");
    expect(
      await db.query(
        "select user_id, balance::int, debt::int from public.wallets where user_id = any($1::uuid[]) order by balance desc",
        [[rich, owing]],
      ),
    ).toEqual([
      { user_id: rich, balance: 100, debt: 0 },
      { user_id: owing, balance: 20, debt: 0 },
    ]);
    expect(await db.query("select * from public.credit_invariant_violations()")).toEqual([]);
  });
});
