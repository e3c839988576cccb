/**
 * getDb(): the process-wide database for the configured mode. One instance per
 * process, kept on globalThis so Next's dev hot reload does not open a second
 * PGlite on the same files (which would corrupt them) or a second pool.
 */
import { getEnv } from "@/lib/env";
import type { Database } from "./port";
import { createPgliteDatabase } from "./pglite";
import { createPostgresDatabase } from "./postgres";
import { createSupabaseDatabase } from "./supabase";

const holder = globalThis as typeof globalThis & { __creditsDb?: Database };

export function createDatabaseFromEnv(): Database {
  const env = getEnv();
  switch (env.mode) {
    case "supabase":
      return createSupabaseDatabase({
        url: env.NEXT_PUBLIC_SUPABASE_URL,
        serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
      });
    case "postgres":
      return createPostgresDatabase({ connectionString: env.DATABASE_URL, max: env.PG_POOL_MAX });
    case "embedded":
      return createPgliteDatabase({ dataDir: env.pgliteDir });
  }
}

export function getDb(): Database {
  holder.__creditsDb ??= createDatabaseFromEnv();
  return holder.__creditsDb;
}

/** Tests: use this database for the rest of the process (route handlers call getDb()). */
export function setDb(db: Database | undefined): void {
  holder.__creditsDb = db;
}

export type { Database, SqlDatabase } from "./port";
export { isSqlDatabase } from "./port";
export { DatabaseError, DatabaseUnavailableError } from "./errors";
