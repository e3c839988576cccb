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
import { migratedPgliteTemplate } from "@/scripts/db/build";

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
export async function createServerDatabase(
  prefix = process.env.TEST_DATABASE_PREFIX ?? "credits_test",
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error("DATABASE_URL is not set");
  // The run's tag lets tests/global-setup.ts drop it should this worker die before its afterAll.
  const name = `${prefix}_${process.env.TEST_RUN_TAG ?? "untagged"}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
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
    const db = createPgliteDatabase({ loadDataDir: await migratedPgliteTemplate() });
    await db.query("select 1"); // open + migrate now, not inside the first timed call
    return { target, db, drop: () => db.close() };
  }
  const server = await createServerDatabase();
  await migrateServerDatabase(server.url).catch(async (error: unknown) => {
    await server.drop();
    throw error;
  });
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

/**
 * Creates an account whose e-mail is already confirmed, as Supabase does for an
 * admin-created user (insert into auth.users fires the profile/wallet/claim
 * trigger). `confirmed: false` makes it as a sign-up does, before the link.
 */
export async function createUser(
  db: SqlDatabase,
  email: string,
  options: { confirmed?: boolean } = {},
): Promise<string> {
  const rows = await db.query<{ id: string }>(
    "insert into auth.users (email, email_confirmed_at) values ($1, case when $2 then now() end) returning id",
    [email, options.confirmed ?? true],
  );
  return rows[0].id;
}

/** Confirms an account's e-mail as Supabase does (the update that sets email_confirmed_at). */
export async function confirmEmail(db: SqlDatabase, userId: string): Promise<void> {
  await db.query("update auth.users set email_confirmed_at = now() where id = $1 and email_confirmed_at is null", [
    userId,
  ]);
}

export async function balanceOf(db: SqlDatabase, userId: string): Promise<number> {
  const rows = await db.query<{ balance: string | number }>("select balance from public.wallets where user_id = $1", [
    userId,
  ]);
  return Number(rows[0]?.balance);
}

/** Every wallet equals the sum of its ledger (and its lots, holds: every credit invariant): returns the breaches. */
export async function walletsOffLedger(
  db: SqlDatabase,
): Promise<Array<{ user_id: string; balance: string; ledger: string }>> {
  // and every other credit invariant (lots, debt, holds: credit_invariant_violations), reported in `ledger`
  return db.query(
    `select w.user_id, w.balance::text, coalesce(sum(l.delta), 0)::text as ledger
       from public.wallets w left join public.credit_ledger l on l.user_id = w.user_id
      group by w.user_id, w.balance
     having w.balance <> coalesce(sum(l.delta), 0)
     union all
     select v.user_id, null, v.problem from public.credit_invariant_violations() v`,
  );
}
