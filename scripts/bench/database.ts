/** Throw-away databases on the benchmark's Postgres server (credits_bench_*), migrated like `npm run db:migrate`. */
import { randomBytes } from "node:crypto";
import type pg from "pg";
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

/**
 * Accounts the deliveries name as client_reference_id (the sign-up trigger creates profile + wallet),
 * confirmed, so the spend benchmark may create their API keys (create_api_key needs a confirmed address).
 */
export const CREATE_USERS_SQL = `insert into auth.users (email, email_confirmed_at)
  select 'bench-' || $1::text || '-' || i || '@example.com', now() from generate_series(1, $2::int) i returning id`;

/**
 * Loads webhook_events in bulk as a restore would: secondary indexes dropped,
 * the steps run, the indexes rebuilt, then vacuum analyze. Seconds of each part.
 */
export async function bulkLoad(
  client: pg.Client,
  steps: Array<[string, unknown[]]>,
): Promise<{ loadS: number; indexS: number; indexCount: number }> {
  const indexes = (
    await client.query<{ name: string; def: string }>(
      `select i.relname as name, pg_get_indexdef(i.oid) as def
         from pg_index x join pg_class i on i.oid = x.indexrelid
        where x.indrelid = 'public.webhook_events'::regclass and not x.indisprimary and not x.indisunique`,
    )
  ).rows;
  const started = performance.now();
  await client.query("set synchronous_commit = off");
  for (const index of indexes) await client.query(`drop index public.${index.name}`);
  for (const [sql, params] of steps) await client.query(sql, params);
  const loadS = (performance.now() - started) / 1000;
  const indexStarted = performance.now();
  await client.query("set maintenance_work_mem = '512MB'");
  for (const index of indexes) await client.query(index.def);
  await client.query("vacuum analyze public.webhook_events");
  return { loadS, indexS: (performance.now() - indexStarted) / 1000, indexCount: indexes.length };
}
