/**
 * Where each object is written in supabase/schemas/: the statement that creates
 * it, so a generated migration carries the text as its author wrote it (layout,
 * inline comments) rather than Postgres' reconstruction of it.
 */
import fs from "node:fs";
import path from "node:path";
import { supabaseRoot } from "@/lib/db/migrate";
import { schemaFiles } from "./build";
import { splitSqlStatements } from "./sql-statements";

export interface SourceStatement {
  /** supabase/schemas/… */
  file: string;
  line: number;
  sql: string;
  /** Position in apply order (files in path order, statements in file order). */
  order: number;
}

/** Statements by the catalog key of what they create ("function public.x", "table public.y", …). */
export type SchemaSources = Map<string, SourceStatement[]>;

const NAME = String.raw`("?[\w$]+"?(?:\."?[\w$]+"?)?)`;

/** schema.name with quotes removed; unqualified names are in public. */
function qualified(name: string): string {
  const parts = name.replaceAll('"', "").split(".");
  return parts.length === 1 ? `public.${parts[0]}` : parts.join(".");
}

const schemaOf = (name: string) => qualified(name).split(".")[0];

/** The catalog key a statement creates, or null for anything else (grants, comments, alters, …). */
export function keyOf(sql: string): string | null {
  const head = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^create (?:or replace )?(function|procedure) ${NAME}\\s*\\(`).exec(head)))
    return `function ${qualified(m[2])}`;
  if ((m = new RegExp(`^create (?:unlogged )?table (?:if not exists )?${NAME}`).exec(head)))
    return `table ${qualified(m[1])}`;
  if ((m = new RegExp(`^create (?:or replace )?(materialized )?view (?:if not exists )?${NAME}`).exec(head)))
    return `${m[1] ? "materialized view" : "view"} ${qualified(m[2])}`;
  if ((m = new RegExp(`^create sequence (?:if not exists )?${NAME}`).exec(head))) return `sequence ${qualified(m[1])}`;
  if ((m = new RegExp(`^create type ${NAME}`).exec(head))) return `type ${qualified(m[1])}`;
  if ((m = new RegExp(`^create domain ${NAME}`).exec(head))) return `type ${qualified(m[1])}`;
  if ((m = /^create schema (?:if not exists )?"?([\w$]+)"?/.exec(head))) return `schema ${m[1]}`;
  if (
    (m = new RegExp(
      `^create (?:unique )?index (?:concurrently )?(?:if not exists )?"?([\\w$]+)"? on (?:only )?${NAME}`,
    ).exec(head))
  )
    return `index ${schemaOf(m[2])}.${m[1]}`;
  if ((m = new RegExp(`^create (?:or replace )?(?:constraint )?trigger "?([\\w$]+)"? .*? on ${NAME}`).exec(head)))
    return `trigger ${qualified(m[2])}.${m[1]}`;
  if ((m = new RegExp(`^create policy "?([\\w$]+)"? on ${NAME}`).exec(head)))
    return `policy ${qualified(m[2])}.${m[1]}`;
  return null;
}

export function readSchemaSources(root = supabaseRoot()): SchemaSources {
  const sources: SchemaSources = new Map();
  let order = 0;
  for (const file of schemaFiles(root)) {
    for (const statement of splitSqlStatements(fs.readFileSync(path.join(root, file), "utf8"))) {
      const key = keyOf(statement.sql);
      if (!key) continue;
      const list = sources.get(key) ?? [];
      list.push({ file: path.join("supabase", file), line: statement.line, sql: statement.sql, order: order++ });
      sources.set(key, list);
    }
  }
  return sources;
}

/** The one statement that creates `key`, or undefined when there is none or more than one (overloads). */
export function sourceOf(sources: SchemaSources, key: string): SourceStatement | undefined {
  const list = sources.get(key);
  return list?.length === 1 ? list[0] : undefined;
}
