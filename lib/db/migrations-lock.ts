/**
 * supabase/migrations.lock: one line per migration, "<sha256>  <file>". Read by
 * tests/unit/migrations-lock.test.ts, written by `npm run db:lock`.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.join(process.cwd(), "supabase");
export const LOCK_FILE = path.join(ROOT, "migrations.lock");

/** Each migration file's SHA-256, by name, as the migrator computes it. */
export function migrationChecksums(): Map<string, string> {
  const dir = path.join(ROOT, "migrations");
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => [
        f,
        createHash("sha256")
          .update(fs.readFileSync(path.join(dir, f), "utf8"))
          .digest("hex"),
      ]),
  );
}

export function readMigrationsLock(): Map<string, string> {
  const lines = fs.readFileSync(LOCK_FILE, "utf8").split("\n").filter(Boolean);
  return new Map(lines.map((line) => line.split(/\s+/).reverse() as [string, string]));
}

export function writeMigrationsLock(): void {
  const lines = [...migrationChecksums()].map(([file, sum]) => `${sum}  ${file}`);
  fs.writeFileSync(LOCK_FILE, `${lines.join("\n")}\n`);
}
