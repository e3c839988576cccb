/**
 * Deposit addresses became unique whatever their letter case
 * (20261130000120_provider_money_rules.sql). A database that already holds
 * two rows differing only in case cannot know which owner a deposit belongs
 * to: the migration stops with a message naming the address instead of
 * picking one, and applies once the admin has kept one row.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, supabaseRoot, type SqlRunner } from "@/lib/db/migrate";

const MIGRATION = "20261130000120_provider_money_rules.sql";

describe("deposit address case-insensitive uniqueness migration", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "credits-migration-"));
  const pg = new PGlite();
  const db: SqlRunner = {
    exec: async (sql) => void (await pg.exec(sql)),
    query: async (sql, params) => (await pg.query(sql, params)).rows as never[],
  };
  afterAll(async () => {
    await pg.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("refuses existing case duplicates by name, then applies once one row is kept", async () => {
    const source = supabaseRoot();
    fs.cpSync(path.join(source, "bootstrap"), path.join(root, "bootstrap"), { recursive: true });
    fs.mkdirSync(path.join(root, "migrations"));
    const before = fs.readdirSync(path.join(source, "migrations")).filter((f) => f.endsWith(".sql") && f < MIGRATION);
    for (const file of before)
      fs.copyFileSync(path.join(source, "migrations", file), path.join(root, "migrations", file));
    await migrate(db, { root });

    const [a] = await db.query<{ id: string }>("insert into auth.users (email) values ('a@example.com') returning id");
    const [b] = await db.query<{ id: string }>("insert into auth.users (email) values ('b@example.com') returning id");
    const address = "0xAbCdEf0123456789abcdef0123456789ABCDEF01";
    await db.query(
      "insert into public.deposit_addresses (address, asset_id, user_id) values ($1, 'USDC', $2), ($3, 'USDC', $4)",
      [address, a.id, address.toLowerCase(), b.id],
    );

    fs.copyFileSync(path.join(source, "migrations", MIGRATION), path.join(root, "migrations", MIGRATION));
    await expect(migrate(db, { root })).rejects.toThrow(
      new RegExp(`differ only in letter case: ${address.toLowerCase()} \\(2 rows\\)`),
    );

    await db.query("delete from public.deposit_addresses where user_id = $1", [b.id]);
    expect(await migrate(db, { root })).toContain(MIGRATION);
    await expect(
      db.query("insert into public.deposit_addresses (address, asset_id, user_id) values ($1, 'USDC', $2)", [
        address.toUpperCase(),
        b.id,
      ]),
    ).rejects.toThrow(/duplicate key|unique/);
  });
});
