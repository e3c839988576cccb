/**
 * npm run db:diff -- <name>: writes supabase/migrations/<timestamp>_<name>.sql with
 * exactly what changed in supabase/schemas/ (scripts/db/generate-migration.ts),
 * after proving it on a fresh copy of the migrated database, and records it in
 * supabase/migrations.lock. Without a name it only prints what it would write.
 * Runs on PGlite: no server needed.
 */
import fs from "node:fs";
import path from "node:path";
import { supabaseRoot } from "@/lib/db/migrate";
import { writeMigrationsLock } from "@/lib/db/migrations-lock";
import { CannotExpressError, generateMigration, migrationText } from "./db/generate-migration";

/** UTC now as YYYYMMDDHHMMSS, later than every existing migration. */
function nextTimestamp(root: string): string {
  const now = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const last = fs
    .readdirSync(path.join(root, "migrations"))
    .map((f) => /^(\d{14})_/.exec(f)?.[1])
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  return last && last >= now ? String(BigInt(last) + 1n) : now;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (name !== undefined && !/^[a-z0-9][a-z0-9_]{0,80}$/.test(name)) {
    console.error("usage: npm run db:diff -- <name>   (lower case, digits and _; e.g. spend_reason_length)");
    process.exit(2);
  }
  const root = supabaseRoot();
  const { statements } = await generateMigration(root);
  if (statements.length === 0) {
    console.log("supabase/schemas and supabase/migrations agree: nothing to generate.");
    return;
  }
  const text = migrationText(name ?? "<name>", statements);
  if (!name) {
    console.log(text);
    console.log("-- dry run: `npm run db:diff -- <name>` writes this as a migration.");
    return;
  }
  const destructive = statements.filter((sql) => /^(drop (table|schema|type)|alter table \S+ drop column)/i.test(sql));
  for (const sql of destructive) {
    console.warn(
      `warning: ${sql}\n  loses data. If you meant a rename, write \`alter table … rename …\` in the migration by hand.`,
    );
  }
  const file = path.join(root, "migrations", `${nextTimestamp(root)}_${name}.sql`);
  fs.writeFileSync(file, text);
  writeMigrationsLock();
  console.log(
    `wrote ${path.relative(process.cwd(), file)} (${statements.length} statement${statements.length === 1 ? "" : "s"}; verified on a fresh migrated database)`,
  );
  console.log(
    "supabase/migrations.lock updated. Add data changes by hand if the change needs any, then run the tests.",
  );
}

main().catch((error: Error) => {
  console.error(error instanceof CannotExpressError ? `db:diff: ${error.message}` : error);
  process.exit(1);
});
