/**
 * plpgsql_check (the Postgres extension, Debian postgresql-15-plpgsql-check) over
 * every plpgsql function of the app's schemas: each body is compiled and every
 * statement checked against the catalog (unknown columns, wrong types, unused
 * or unassigned variables, SQL injection in dynamic SQL, …). Trigger functions
 * are checked with the table their trigger is on.
 *
 * A warning that is intended is allowed next to its function in the schema
 * file, on a line comment above `create function`, with the reason:
 *   -- plpgsql_check allows "OUT variable % is maybe unmodified": <why>
 * (% matches any text). Performance hints (hidden int → bigint casts, "could be
 * IMMUTABLE") are not requested: they are advice, not defects.
 */
import fs from "node:fs";
import path from "node:path";
import { supabaseRoot } from "@/lib/db/migrate";
import { schemaFiles } from "./build";
import type { Query } from "./catalog";
import { readSchemaSources } from "./schema-sources";
import { splitSqlStatements } from "./sql-statements";

export interface PlpgsqlFinding {
  /** schema.name(argument types) */
  function: string;
  /** The table the trigger function was checked with, if it is one. */
  relation: string | null;
  level: string;
  line: number | null;
  message: string;
  detail: string | null;
  hint: string | null;
}

export interface Allowance {
  /** schema.name of the function it is written above. */
  function: string;
  message: string;
  reason: string;
  /** Where it is written: supabase/schemas/…:line */
  at: string;
}

/** Creates the extension in its own schema (so its functions stay out of public); throws how to install it. */
export async function installPlpgsqlCheck(query: Query): Promise<void> {
  const [available] = await query<{ n: number }>(
    "select count(*)::int as n from pg_catalog.pg_available_extensions where name = 'plpgsql_check'",
  );
  if (!available.n) {
    throw new Error(
      "the plpgsql_check extension is not installed on this Postgres server: " +
        "apt-get install postgresql-<major>-plpgsql-check (.ci/run does it on a fresh machine)",
    );
  }
  await query("create schema if not exists plpgsql_check");
  await query("create extension if not exists plpgsql_check schema plpgsql_check");
}

export async function plpgsqlCheck(query: Query): Promise<PlpgsqlFinding[]> {
  return query<PlpgsqlFinding>(
    `select p.oid::regprocedure::text as function, t.relation, c.level, c.lineno as line,
            c.message, c.detail, c.hint
       from pg_catalog.pg_proc p
       join pg_catalog.pg_namespace n on n.oid = p.pronamespace
       join pg_catalog.pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
       left join lateral (
         select g.tgrelid::regclass::text as relation, g.tgrelid as relid
           from pg_catalog.pg_trigger g where g.tgfoid = p.oid and not g.tgisinternal
          order by g.tgrelid limit 1) t on true
      cross join lateral plpgsql_check.plpgsql_check_function_tb(
        p.oid, coalesce(t.relid, 0), fatal_errors => false, other_warnings => true,
        extra_warnings => true, security_warnings => true, performance_warnings => false) c
      where n.nspname in ('public', 'private') and p.prorettype <> 'pg_catalog.event_trigger'::regtype
      order by 1, c.lineno nulls first, c.message`,
  );
}

const ALLOW = /^--\s*plpgsql_check allows "([^"]+)":\s*(\S.*)$/;

/** Every `-- plpgsql_check allows "…": reason` line of the schema files, with the function it is written above. */
export function readAllowances(root = supabaseRoot()): Allowance[] {
  const allowances: Allowance[] = [];
  const sources = readSchemaSources(root);
  for (const file of schemaFiles(root)) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    for (const statement of splitSqlStatements(text)) {
      const lines = statement.leading.split("\n").filter((l) => /^\s*--\s*plpgsql_check\b/.test(l));
      if (!lines.length) continue;
      const fn = [...sources].find(([, list]) => list.some((s) => s.sql === statement.sql))?.[0];
      for (const line of lines) {
        const m = ALLOW.exec(line.trim());
        const at = `supabase/${file}:${statement.line}`;
        if (!m || !fn?.startsWith("function ")) {
          throw new Error(`${at}: write it as -- plpgsql_check allows "<message>": <reason>, above a create function`);
        }
        allowances.push({ function: fn.slice("function ".length), message: m[1], reason: m[2], at });
      }
    }
  }
  return allowances;
}

const matches = (allowance: Allowance, finding: PlpgsqlFinding) => {
  const name = finding.function.replace(/\(.*$/, "");
  const qualified = name.includes(".") ? name : `public.${name}`;
  const pattern = new RegExp(`^${allowance.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replaceAll("%", ".*")}$`);
  return qualified === allowance.function && pattern.test(finding.message);
};

/** The findings no allowance covers, and the allowances that cover nothing (stale). */
export function applyAllowances(
  findings: PlpgsqlFinding[],
  allowances: Allowance[],
): { findings: PlpgsqlFinding[]; unused: Allowance[] } {
  return {
    findings: findings.filter((f) => !allowances.some((a) => matches(a, f))),
    unused: allowances.filter((a) => !findings.some((f) => matches(a, f))),
  };
}

export function describeFindings(findings: PlpgsqlFinding[]): string {
  return findings
    .map(
      (f) =>
        `${f.function}${f.relation ? ` (trigger on ${f.relation})` : ""}${f.line ? ` line ${f.line}` : ""}: ` +
        `${f.level}: ${f.message}${f.detail ? ` (${f.detail})` : ""}${f.hint ? ` hint: ${f.hint}` : ""}`,
    )
    .join("\n");
}
