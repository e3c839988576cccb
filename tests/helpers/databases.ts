/**
 * Test databases. Every SQL-level suite runs against each target:
 * - "pglite": an in-memory PGlite, migrated (always);
 * - "postgres": a fresh database on the server in DATABASE_URL, migrated, dropped afterwards
 *   (only when DATABASE_URL is set; .ci/run sets it).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { createPgliteDatabase } from "@/lib/db/pglite";
import type { SqlDatabase } from "@/lib/db/port";
import { createPostgresDatabase, withPostgresClient } from "@/lib/db/postgres";

export type TargetName = "pglite" | "postgres";

export interface TestDatabase {
  target: TargetName;
  db: SqlDatabase;
  /** Connection string of the server database (postgres target only). */
  url?: string;
  drop(): Promise<void>;
}

export const serverUrl = process.env.DATABASE_URL;

export const targets: TargetName[] = serverUrl ? ["pglite", "postgres"] : ["pglite"];

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database on the server and returns its URL (no migrations). */
export async function createServerDatabase(prefix = "credits_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error("DATABASE_URL is not set");
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = withDatabase(serverUrl, "postgres");
  await withPostgresClient(admin, (c) => c.query(`create database ${name}`));
  return {
    url: withDatabase(serverUrl, name),
    drop: () =>
      withPostgresClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export async function migrateServerDatabase(url: string): Promise<void> {
  await withPostgresClient(url, (client: pg.Client) =>
    migrate({
      exec: async (sql) => void (await client.query(sql)),
      query: async (sql, params) => (await client.query(sql, params)).rows,
    }),
  );
}

export async function openTestDatabase(target: TargetName, options: { poolMax?: number } = {}): Promise<TestDatabase> {
  if (target === "pglite") {
    const db = createPgliteDatabase();
    await db.query("select 1"); // open + migrate now, not inside the first timed call
    return { target, db, drop: () => db.close() };
  }
  const server = await createServerDatabase();
  await migrateServerDatabase(server.url);
  const db = createPostgresDatabase({ connectionString: server.url, max: options.poolMax ?? 10 });
  return {
    target,
    db,
    url: server.url,
    drop: async () => {
      await db.close();
      await server.drop();
    },
  };
}

/** Creates an account the way sign-up does (insert into auth.users fires the profile/wallet/claim trigger). */
export async function createUser(db: SqlDatabase, email: string): Promise<string> {
  const rows = await db.query<{ id: string }>("insert into auth.users (email) values ($1) returning id", [email]);
  return rows[0].id;
}

export async function balanceOf(db: SqlDatabase, userId: string): Promise<number> {
  const rows = await db.query<{ balance: string | number }>("select balance from public.wallets where user_id = $1", [userId]);
  return Number(rows[0]?.balance);
}

/** Every wallet equals the sum of its ledger: returns the wallets that do not. */
export async function walletsOffLedger(db: SqlDatabase): Promise<Array<{ user_id: string; balance: string; ledger: string }>> {
  return db.query(
    `select w.user_id, w.balance::text, coalesce(sum(l.delta), 0)::text as ledger
       from public.wallets w left join public.credit_ledger l on l.user_id = w.user_id
      group by w.user_id, w.balance
     having w.balance <> coalesce(sum(l.delta), 0)`,
  );
}
