/** Throw-away databases on the benchmark's Postgres server (credits_bench_*), migrated like `npm run db:migrate`. */
import { randomBytes } from "node:crypto";
import { migrate } from "../../lib/db/migrate";
import { withPostgresClient } from "../../lib/db/postgres";

export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createBenchDatabase(
  adminUrl: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `credits_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = withDatabaseName(adminUrl, "postgres");
  await withPostgresClient(admin, (c) => c.query(`create database ${name}`));
  const url = withDatabaseName(adminUrl, name);
  await withPostgresClient(url, (client) =>
    migrate({
      exec: async (sql) => void (await client.query(sql)),
      query: async (sql, params) => (await client.query(sql, params)).rows,
    }),
  );
  return {
    name,
    url,
    drop: () =>
      withPostgresClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Accounts the deliveries name as client_reference_id (the sign-up trigger creates profile + wallet). */
export const CREATE_USERS_SQL = `insert into auth.users (email)
  select 'bench-' || $1::text || '-' || i || '@example.com' from generate_series(1, $2::int) i returning id`;
