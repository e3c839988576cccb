/**
 * supabase/schemas/ (the current definition of every SQL object) and
 * supabase/migrations/ (what every database applies) must describe the same
 * database: bootstrap + schema files and bootstrap + migrations, each applied to
 * an empty database, give the same catalog (tables and columns in order with
 * types, defaults and nullability, constraints, indexes, triggers, policies, RLS
 * flags, functions by definition, privileges, comments, views, sequences, types).
 * A change made on one side only fails here, naming the object and the side
 * that has it; `npm run db:diff -- <name>` writes the migration for a schema edit.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { supabaseRoot } from "@/lib/db/migrate";
import { withPostgresClient } from "@/lib/db/postgres";
import { applySide, pgliteCatalog, type Side } from "@/scripts/db/build";
import { describeDifferences, diffCatalogs, readCatalog, type Catalog } from "@/scripts/db/catalog";
import { createServerDatabase, targets, type TargetName } from "../helpers/databases";

async function catalogOn(target: TargetName, side: Side, root = supabaseRoot()): Promise<Catalog> {
  if (target === "pglite") return pgliteCatalog(side, root);
  const server = await createServerDatabase();
  try {
    return await withPostgresClient(server.url, async (client) => {
      const query = async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as Row[];
      await applySide({ exec: async (sql) => void (await client.query(sql)), query }, side, root);
      return readCatalog(query);
    });
  } finally {
    await server.drop();
  }
}

function drift(migrations: Catalog, schemas: Catalog): string {
  return describeDifferences(diffCatalogs(migrations, schemas), ["migrations", "schemas"]);
}

/** A copy of supabase/ to edit: the repository's own files are never touched. */
function copyOfSupabase(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credits-drift-"));
  fs.cpSync(supabaseRoot(), dir, { recursive: true });
  return dir;
}

describe.each(targets)("supabase/schemas and supabase/migrations on %s", (target) => {
  it("build the same database, object by object", async () => {
    const [migrations, schemas] = await Promise.all([catalogOn(target, "migrations"), catalogOn(target, "schemas")]);
    expect(migrations.size).toBeGreaterThan(300);
    expect(drift(migrations, schemas), "run `npm run db:diff` to see what to generate").toBe("");
  }, 120_000);
});

describe("the drift check", () => {
  it("fails when a function is changed in its schema file only", async () => {
    const root = copyOfSupabase();
    try {
      const file = path.join(root, "schemas/090_ops.sql");
      const sql = fs.readFileSync(file, "utf8");
      const edited = sql.replace("'packages', (select count(*)", "'packs', (select count(*)");
      expect(edited).not.toBe(sql);
      fs.writeFileSync(file, edited);
      const report = drift(await pgliteCatalog("migrations", root), await pgliteCatalog("schemas", root));
      expect(report).toMatch(/^- function public\.health_check\(\) differs:\n {4}definition differs:/);
      expect(report).toContain("schemas:     'packs', (select count(*)");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it("fails when a migration changes what no schema file says (a grant, a comment, a column)", async () => {
    const root = copyOfSupabase();
    try {
      fs.writeFileSync(
        path.join(root, "migrations/99999999999999_drift.sql"),
        `grant execute on function public.health_check() to anon;
         comment on table public.ops_jobs is 'edited in a migration only';
         alter table public.ops_jobs add column note text;`,
      );
      const report = drift(await pgliteCatalog("migrations", root), await pgliteCatalog("schemas", root));
      expect(report).toContain(
        '- function public.health_check() differs:\n    acl: migrations ["anon:EXECUTE","owner:EXECUTE","service_role:EXECUTE"]',
      );
      expect(report).toContain("- table public.ops_jobs differs:");
      expect(report).toMatch(/comment: migrations edited in a migration only \| schemas State of each background job/);
      expect(report).toMatch(/column note: migrations \{"name":"note","type":"text".*\} \| schemas \(none\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
