/**
 * One place for each SQL object, and its typed calls beside it: lib/db/rpc/<domain>.ts
 * calls only the functions supabase/schemas/NNN_<domain>.sql defines, one file per
 * domain, and no TypeScript points into a migration for a definition.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SCHEMAS = "supabase/schemas";
const RPC = "lib/db/rpc";

/** "040_credits.sql" → "credits"; "020_local_accounts.sql" → "local-accounts". */
const domainOf = (file: string) =>
  file
    .replace(/^\d+_/, "")
    .replace(/\.sql$/, "")
    .replaceAll("_", "-");

const schemaFiles = fs.readdirSync(SCHEMAS).filter((f) => f.endsWith(".sql"));
const rpcFiles = fs.readdirSync(RPC).filter((f) => f.endsWith(".ts"));

/** Where each function is defined: its schema file's domain (or the bootstrap file's, for the two it keeps). */
function definitions(): Map<string, string> {
  const defined = new Map<string, string>();
  const read = (dir: string, file: string) => {
    for (const m of fs
      .readFileSync(path.join(dir, file), "utf8")
      .matchAll(/create (?:or replace )?function public\.(\w+)\(/g)) {
      defined.set(m[1], domainOf(file));
    }
  };
  schemaFiles.forEach((f) => read(SCHEMAS, f));
  fs.readdirSync("supabase/bootstrap").forEach((f) => read("supabase/bootstrap", f));
  return defined;
}

describe("lib/db/rpc and supabase/schemas", () => {
  it("have one file per domain, with the same names", () => {
    const withFunctions = schemaFiles.filter((f) =>
      /create function/.test(fs.readFileSync(path.join(SCHEMAS, f), "utf8")),
    );
    expect(rpcFiles.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(withFunctions.map(domainOf).sort());
  });

  it.each(rpcFiles)("%s calls only functions of its own schema file", (file) => {
    const defined = definitions();
    const source = fs.readFileSync(path.join(RPC, file), "utf8");
    const called = [...source.matchAll(/\.rpc\(\s*"(\w+)"/g)].map((m) => m[1]);
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((name) => defined.get(name) !== file.replace(/\.ts$/, ""))).toEqual([]);
  });

  it("leaves no TypeScript comment pointing into supabase/migrations for a definition", () => {
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) {
          fs.readFileSync(full, "utf8")
            .split("\n")
            .forEach((line, i) => {
              if (/supabase\/migrations\/(\d|\*_)/.test(line)) hits.push(`${full}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    ["app", "components", "lib", "scripts", "tests"].forEach(walk);
    expect(hits).toEqual([]);
  });
});
