/**
 * supabase/schemas reads like documentation (STYLE.md): a block comment above
 * every table and policy saying why it exists, `comment on function` for every
 * function, and nothing but definitions (seed rows stay in migrations).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyOf } from "@/scripts/db/schema-sources";
import { splitSqlStatements } from "@/scripts/db/sql-statements";

const DIR = "supabase/schemas";
const statements = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".sql"))
  .sort()
  .flatMap((file) =>
    splitSqlStatements(fs.readFileSync(path.join(DIR, file), "utf8")).map((s) => ({ ...s, file, key: keyOf(s.sql) })),
  );

describe("supabase/schemas", () => {
  it("says above every table and policy why it exists, in a block comment", () => {
    const bare = statements
      .filter((s) => /^(table|policy) /.test(s.key ?? "") && !/\*\/\s*(--[^\n]*\n\s*)*$/.test(s.leading))
      .map((s) => `${s.file}:${s.line} ${s.key}`);
    expect(bare).toEqual([]);
  });

  it("comments on every function it creates", () => {
    const commented = new Set(
      statements
        .map((s) => /^comment on function (\w+\.\w+)\(/i.exec(s.sql)?.[1])
        .filter((name): name is string => !!name),
    );
    const missing = statements
      .filter((s) => s.key?.startsWith("function ") && !commented.has(s.key.slice("function ".length)))
      .map((s) => `${s.file}:${s.line} ${s.key}`);
    expect(missing).toEqual([]);
  });

  it("holds definitions only: rows are seeded by migrations", () => {
    const data = statements
      .filter((s) => /^(insert|update|delete|copy|truncate|select)\b/i.test(s.sql))
      .map((s) => `${s.file}:${s.line}`);
    expect(data).toEqual([]);
  });
});
