/**
 * Applies supabase/bootstrap/*.sql (idempotent, skips what exists) and then
 * supabase/migrations/*.sql in name order, each once, recorded in
 * app_meta.schema_migrations. Serialized with an advisory lock so several app
 * instances or `npm run db:migrate` runs cannot interleave.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface MigrateOptions {
  /** Folder holding bootstrap/ and migrations/; defaults to ./supabase. */
  root?: string;
  /** Skip the Supabase-compat bootstrap (not needed on Supabase's own Postgres, but harmless). */
  skipBootstrap?: boolean;
  log?: (line: string) => void;
}

const LOCK_KEY = 727_001; // arbitrary, constant: "credits migrations"

/** The .sql files of a folder, in name order (the order they are applied in). */
export function sqlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

export function supabaseRoot(): string {
  return path.join(process.cwd(), "supabase");
}

/** supabase/bootstrap/*.sql, in order: idempotent, so it runs before every migration run. */
export async function applyBootstrap(db: SqlRunner, root = supabaseRoot()): Promise<void> {
  for (const file of sqlFiles(path.join(root, "bootstrap"))) {
    await db.exec(fs.readFileSync(path.join(root, "bootstrap", file), "utf8"));
  }
}

/** Returns the names of the migrations applied by this run. */
export async function migrate(db: SqlRunner, options: MigrateOptions = {}): Promise<string[]> {
  const root = options.root ?? supabaseRoot();
  const log = options.log ?? (() => {});
  const applied: string[] = [];
  await db.query("select pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    if (!options.skipBootstrap) await applyBootstrap(db, root);
    await db.exec(`
      create schema if not exists app_meta;
      create table if not exists app_meta.schema_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now()
      );`);
    const done = new Map(
      (await db.query<{ name: string; checksum: string }>("select name, checksum from app_meta.schema_migrations")).map(
        (r) => [r.name, r.checksum],
      ),
    );
    for (const file of sqlFiles(path.join(root, "migrations"))) {
      const sql = fs.readFileSync(path.join(root, "migrations", file), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      if (done.has(file)) {
        if (done.get(file) !== checksum) log(`warning: ${file} changed after it was applied; not re-applied`);
        continue;
      }
      await db.exec("begin");
      try {
        await db.exec(sql);
        await db.query("insert into app_meta.schema_migrations (name, checksum) values ($1, $2)", [file, checksum]);
        await db.exec("commit");
      } catch (error) {
        await db.exec("rollback");
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
      log(`applied ${file}`);
    }
  } finally {
    await db.query("select pg_advisory_unlock($1)", [LOCK_KEY]);
  }
  return applied;
}
