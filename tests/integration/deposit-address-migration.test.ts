/**
 * Deposit addresses became unique whatever their letter case
 * (20261130000120_provider_money_rules.sql). A database that already holds
 * two rows differing only in case cannot know which owner a deposit belongs
 * to: the migration stops with a message naming the address instead of
 * picking one, and applies once the admin has kept one row.
 */
import { describe, expect, it } from "vitest";
import { useDatabaseBeforeMigration } from "../helpers/database-before-migration";

const MIGRATION = "20261130000120_provider_money_rules.sql";

describe("deposit address case-insensitive uniqueness migration", () => {
  const before = useDatabaseBeforeMigration(MIGRATION);
  const db = before.db;

  it("refuses existing case duplicates by name, then applies once one row is kept", async () => {
    await before.migrateToBefore();

    const [a] = await db.query<{ id: string }>("insert into auth.users (email) values ('a@example.com') returning id");
    const [b] = await db.query<{ id: string }>("insert into auth.users (email) values ('b@example.com') returning id");
    const address = "0xAbCdEf0123456789abcdef0123456789ABCDEF01";
    await db.query(
      "insert into public.deposit_addresses (address, asset_id, user_id) values ($1, 'USDC', $2), ($3, 'USDC', $4)",
      [address, a.id, address.toLowerCase(), b.id],
    );

    await expect(before.applyMigration()).rejects.toThrow(
      new RegExp(`differ only in letter case: ${address.toLowerCase()} \\(2 rows\\)`),
    );

    await db.query("delete from public.deposit_addresses where user_id = $1", [b.id]);
    expect(await before.applyMigration()).toContain(MIGRATION);
    await expect(
      db.query("insert into public.deposit_addresses (address, asset_id, user_id) values ($1, 'USDC', $2)", [
        address.toUpperCase(),
        b.id,
      ]),
    ).rejects.toThrow(/duplicate key|unique/);
  });
});
