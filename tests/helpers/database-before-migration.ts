/**
 * For tests of what a migration does to rows that already exist: an in-memory
 * PGlite migrated up to (not including) one migration, which the test then
 * fills and migrates on. Registers its own cleanup.
 */
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll } from "vitest";
import { migrate, supabaseRoot, type SqlRunner } from "@/lib/db/migrate";
import { suiteTempDir } from "./temp-dir";

export interface DatabaseBeforeMigration {
  db: SqlRunner;
  /** Applies the bootstrap and every migration that sorts before `migration`. */
  migrateToBefore(): Promise<void>;
  /** Adds `migration` and runs the migrator again (returns the names it applied; rejects as migrate does). */
  applyMigration(): Promise<string[]>;
}

export function useDatabaseBeforeMigration(migration: string): DatabaseBeforeMigration {
  const temp = suiteTempDir("credits-migration-test-");
  const source = supabaseRoot();
  const pg = new PGlite();
  const db: SqlRunner = {
    exec: async (sql) => void (await pg.exec(sql)),
    query: async (sql, params) => (await pg.query(sql, params)).rows as never[],
  };
  afterAll(async () => {
    await pg.close();
  });
  return {
    db,
    async migrateToBefore() {
      const root = temp.path;
      fs.cpSync(path.join(source, "bootstrap"), path.join(root, "bootstrap"), { recursive: true });
      fs.mkdirSync(path.join(root, "migrations"), { recursive: true });
      for (const file of fs.readdirSync(path.join(source, "migrations"))) {
        if (file.endsWith(".sql") && file < migration) {
          fs.copyFileSync(path.join(source, "migrations", file), path.join(root, "migrations", file));
        }
      }
      await migrate(db, { root });
    },
    applyMigration() {
      const root = temp.path;
      fs.copyFileSync(path.join(source, "migrations", migration), path.join(root, "migrations", migration));
      return migrate(db, { root });
    },
  };
}
