/**
 * A shipped migration never changes: a database that applied it will not apply
 * it again (lib/db/migrate.ts only warns), so an edit would reach fresh
 * databases and silently miss every existing one. Fixes go into a new
 * migration, recorded in supabase/migrations.lock by `npm run db:lock`.
 */
import { describe, expect, it } from "vitest";
import { migrationChecksums, readMigrationsLock } from "@/lib/db/migrations-lock";

describe("supabase/migrations.lock", () => {
  const lock = readMigrationsLock();
  const current = migrationChecksums();

  it.each([...lock.keys()])("%s is unchanged since it was locked (fix it in a new migration)", (file) => {
    expect(current.get(file), `${file} was removed or edited`).toBe(lock.get(file));
  });

  it("locks every migration (run npm run db:lock after adding one)", () => {
    expect([...current.keys()].filter((file) => !lock.has(file))).toEqual([]);
  });
});
