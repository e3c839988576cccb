/**
 * Writes the migration that takes a database from what supabase/migrations build
 * to what supabase/schemas describe, and proves it does.
 *
 * 1. Two catalogs: bootstrap + migrations (the cached PGlite template) and
 *    bootstrap + schema files, both read by scripts/db/catalog.ts.
 * 2. Planning, in passes on a scratch copy of the migrated database: each pass
 *    turns the remaining differences into statements (drops first, then tables
 *    and columns, functions in the order the schema files define them,
 *    constraints, indexes, triggers, RLS, policies, privileges, comments), runs
 *    them, and reads the catalog again. What one statement implies (a create
 *    table's inline constraints, an index dropped with its column) is seen by
 *    the next pass instead of being guessed.
 * 3. Verification: a fresh copy of the migrated database applies the whole file
 *    in one transaction, as the migrator will, and must then have exactly the
 *    catalog of the schema files. Anything else fails, listing what the
 *    statements could not express.
 *
 * Statements are taken from the schema files where an object is written there
 * (functions, tables, indexes, triggers, policies, views, types), so the
 * migration reads as its author wrote the SQL; privileges and comments are
 * generated from the catalog. A new or re-created object in public also gets
 * `revoke … from anon, authenticated` before its grants: Supabase's default
 * privileges give those roles every new table and function there.
 */
import { PGlite } from "@electric-sql/pglite";
import { supabaseRoot } from "@/lib/db/migrate";
import { migratedPgliteTemplate, pgliteCatalog, pgliteRunner, type ScratchDatabase } from "./build";
import {
  describeDifferences,
  diffCatalogs,
  readCatalog,
  type Catalog,
  type CatalogEntry,
  type Column,
  type Constraint,
  type FunctionEntry,
  type Index,
  type Policy,
  type RelationEntry,
  type SchemaEntry,
  type Trigger,
  type TypeEntry,
} from "./catalog";
import { readSchemaSources, sourceOf, type SchemaSources } from "./schema-sources";

export interface GeneratedMigration {
  /** The statements, in order (empty when the schema files and the migrations agree). */
  statements: string[];
}

export class CannotExpressError extends Error {}

const MAX_PASSES = 6;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const ident = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
const qname = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;
const fnName = (f: FunctionEntry) => `${qname(f.schema, f.name)}(${f.identity})`;
const relName = (r: { schema: string; name: string }) => qname(r.schema, r.name);
const onTable = (o: { schema: string; table: string }) => qname(o.schema, o.table);
const withSemicolon = (sql: string) => (sql.trimEnd().endsWith(";") ? sql.trimEnd() : `${sql.trimEnd()};`);

/** One grant/revoke target, as written in GRANT: "table public.x", "function public.f(text)", "schema private". */
interface AclTarget {
  sql: string;
  /** Privileges of a new object before any grant (owner aside). */
  defaults: string[];
  /** Supabase gives anon and authenticated every privilege on new objects in public: revoke them explicitly. */
  supabaseDefaults: boolean;
  all: "all" | "execute" | "usage";
}

/** Sorted privileges by grantee, owner left out: "service_role" → ["SELECT", …]. */
function byGrantee(acl: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const entry of acl) {
    const [grantee, privilege] = entry.split(":");
    if (grantee === "owner") continue;
    map.set(grantee, [...(map.get(grantee) ?? []), privilege].sort());
  }
  return map;
}

const ownerPrivileges = (acl: string[]) =>
  acl
    .filter((e) => e.startsWith("owner:"))
    .map((e) => e.slice("owner:".length).replace("*", ""))
    .sort();

/** GRANT / REVOKE statements that turn `current` into `desired` (both normalised ACLs). */
function privilegeStatements(target: AclTarget, current: string[] | null, desired: string[]): string[] {
  const now = byGrantee(current ?? target.defaults);
  const want = byGrantee(desired);
  const full = ownerPrivileges(desired);
  const revokes = new Map<string, string[]>(); // privilege list → grantees
  const grants = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, privileges: string, grantee: string) =>
    map.set(privileges, [...(map.get(privileges) ?? []), grantee]);
  const list = (privileges: string[], grantable = false) =>
    target.all !== "all" || (full.length > 0 && full.every((p) => privileges.includes(p)))
      ? target.all + (grantable ? "*" : "")
      : privileges.map((p) => p.toLowerCase()).join(", ");
  const grantees = new Set([...now.keys(), ...want.keys()]);
  if (current === null && target.supabaseDefaults) grantees.add("anon").add("authenticated");
  for (const grantee of [...grantees].sort((x, y) => (x === "public" ? -1 : y === "public" ? 1 : x.localeCompare(y)))) {
    const had =
      current === null && target.supabaseDefaults && grantee !== "public" && grantee !== "service_role"
        ? full
        : (now.get(grantee) ?? []);
    const wanted = want.get(grantee) ?? [];
    const removed = had.filter((p) => !wanted.includes(p));
    const added = wanted.filter((p) => !had.includes(p) || (current === null && !now.get(grantee)?.includes(p)));
    if (removed.length) push(revokes, wanted.length ? list(removed) : target.all, grantee);
    if (added.length) push(grants, list(added.map((p) => p.replace("*", ""))), grantee);
  }
  const name = (g: string) => (g === "public" ? "public" : ident(g));
  return [
    ...[...revokes].map(([p, gs]) => `revoke ${p} on ${target.sql} from ${gs.map(name).join(", ")};`),
    ...[...grants].map(([p, gs]) => {
      const grantable = p.endsWith("*");
      return `grant ${p.replace("*", "")} on ${target.sql} to ${gs.map(name).join(", ")}${grantable ? " with grant option" : ""};`;
    }),
  ];
}

/** Column grants (grant select (a, b) on t to role), grouped by privilege and grantee. */
function columnPrivilegeStatements(r: RelationEntry, before: RelationEntry | undefined): string[] {
  const changes = new Map<string, string[]>(); // "grant|select|authenticated" → columns
  for (const c of r.columns) {
    const want = byGrantee(c.acl);
    const had = byGrantee(before?.columns.find((x) => x.name === c.name)?.acl ?? []);
    for (const g of new Set([...want.keys(), ...had.keys()])) {
      for (const p of want.get(g) ?? [])
        if (!had.get(g)?.includes(p))
          changes.set(`grant|${p}|${g}`, [...(changes.get(`grant|${p}|${g}`) ?? []), c.name]);
      for (const p of had.get(g) ?? [])
        if (!want.get(g)?.includes(p))
          changes.set(`revoke|${p}|${g}`, [...(changes.get(`revoke|${p}|${g}`) ?? []), c.name]);
    }
  }
  return [...changes]
    .sort(([a], [b]) =>
      a.startsWith("revoke") === b.startsWith("revoke") ? a.localeCompare(b) : a.startsWith("revoke") ? -1 : 1,
    )
    .map(([key, columns]) => {
      const [action, privilege, grantee] = key.split("|");
      const cols = `${privilege.toLowerCase()} (${columns.map(ident).join(", ")}) on table ${relName(r)}`;
      return action === "grant" ? `grant ${cols} to ${ident(grantee)};` : `revoke ${cols} from ${ident(grantee)};`;
    });
}

function commentStatement(on: string, comment: string | null): string {
  if (comment === null) return `comment on ${on} is null;`;
  return on.length + comment.length > 100
    ? `comment on ${on} is\n  ${quote(comment)};`
    : `comment on ${on} is ${quote(comment)};`;
}

function columnDefinition(c: Column): string {
  let sql = `${ident(c.name)} ${c.type}`;
  if (c.collation) sql += ` collate ${ident(c.collation)}`;
  if (c.generated === "s") sql += ` generated always as (${c.default}) stored`;
  else if (c.default !== null) sql += ` default ${c.default}`;
  if (c.identity) sql += ` generated ${c.identity === "a" ? "always" : "by default"} as identity`;
  if (c.notNull && !c.identity) sql += " not null";
  return sql;
}

/** A function Postgres cannot replace in place: its result, argument names or kind changed, or a default went away. */
function mustRecreate(a: FunctionEntry, b: FunctionEntry): boolean {
  return (
    a.result !== b.result ||
    a.prokind !== b.prokind ||
    JSON.stringify(a.argumentNames) !== JSON.stringify(b.argumentNames) ||
    b.defaults < a.defaults
  );
}

const asFunction = (e: CatalogEntry | undefined) => (e?.kind === "function" ? e : undefined);

/** The statements of one planning pass: what turns `current` into `desired`, as far as it can see. */
function plan(current: Catalog, desired: Catalog, sources: SchemaSources, unsupported: Set<string>): string[] {
  const out = {
    schemas: [] as string[],
    dropDependents: [] as string[],
    dropConstraints: [] as string[],
    dropIndexes: [] as string[],
    dropFunctions: [] as string[],
    dropRelations: [] as string[],
    relations: [] as string[],
    columns: [] as string[],
    functions: [] as Array<{ order: number; sql: string }>,
    constraints: [] as string[],
    indexes: [] as string[],
    triggers: [] as string[],
    rls: [] as string[],
    policies: [] as string[],
    privileges: [] as string[],
    comments: [] as string[],
  };
  const differences = diffCatalogs(current, desired);
  const droppedTables = new Set<string>();
  const createdFromSource = new Set<string>(); // tables whose create statement carries their constraints
  const fresh = new Set<string>(); // keys created (or re-created) by this pass: no privileges or comment yet
  const recreate = (key: string) => fresh.add(key);

  // functions that must be dropped and created again take their triggers, policies and views with them
  const functionsToRecreate = differences
    .filter((d) => d.change === "changed")
    .map((d) => [asFunction(current.get(d.key)), asFunction(desired.get(d.key))] as const)
    .filter(
      (pair): pair is readonly [FunctionEntry, FunctionEntry] =>
        !!pair[0] && !!pair[1] && mustRecreate(pair[0], pair[1]),
    )
    .map(([a]) => a);
  const removedFunctions = differences
    .filter((d) => d.change === "extra")
    .map((d) => asFunction(current.get(d.key)))
    .filter((f): f is FunctionEntry => !!f);
  const usesDroppedFunction = (text: string | null) =>
    [...functionsToRecreate, ...removedFunctions].some((f) => text?.includes(`${f.schema}.${f.name}(`));

  const changedKeys = new Set(differences.map((d) => d.key));
  for (const [key, entry] of current) {
    if (changedKeys.has(key) || !desired.has(key)) continue;
    if (
      (entry.kind === "trigger" && usesDroppedFunction(entry.definition)) ||
      (entry.kind === "policy" && (usesDroppedFunction(entry.using) || usesDroppedFunction(entry.check))) ||
      (entry.kind === "view" && usesDroppedFunction(entry.definition))
    ) {
      differences.push({
        key,
        change: "changed",
        fields: [{ field: "depends on a re-created function", a: null, b: null }],
      });
    }
  }

  for (const d of differences) {
    const e = (current.get(d.key) ?? desired.get(d.key))!;
    if (e.kind !== "table") continue;
    if (d.change === "extra") droppedTables.add(relName(e));
    if (d.change === "missing" && sourceOf(sources, `table ${e.schema}.${e.name}`)) createdFromSource.add(relName(e));
  }

  for (const d of differences) {
    const a = current.get(d.key);
    const b = desired.get(d.key);
    const e = (b ?? a)!;
    switch (e.kind) {
      case "schema": {
        if (!a) {
          out.schemas.push(`create schema ${ident(e.name)};`);
          recreate(d.key);
        } else if (!b) out.dropRelations.push(`drop schema ${ident(e.name)};`);
        break;
      }
      case "extension": {
        if (!a) out.schemas.push(`create extension if not exists ${ident(e.name)} ${e.definition};`);
        else if (!b) out.dropRelations.push(`drop extension ${ident(e.name)};`);
        else unsupported.add(`${d.key}: moving an extension to another schema`);
        break;
      }
      case "function": {
        const f = e as FunctionEntry;
        const before = a as FunctionEntry | undefined;
        const after = b as FunctionEntry | undefined;
        const recreated = before && after && mustRecreate(before, after);
        if (!after || recreated) out.dropFunctions.push(`drop function ${fnName(before!)};`);
        if (after && (!before || before.definition !== after.definition || recreated)) {
          const source = sourceOf(sources, `function ${f.schema}.${f.name}`);
          const sql = source
            ? withSemicolon(
                source.sql.replace(/^create\s+(?:or\s+replace\s+)?(function|procedure)/i, "create or replace $1"),
              )
            : withSemicolon(after.definition);
          out.functions.push({ order: source?.order ?? Number.MAX_SAFE_INTEGER, sql });
          if (!before || recreated) recreate(d.key);
        }
        break;
      }
      case "table": {
        const before = a as RelationEntry | undefined;
        const after = b as RelationEntry | undefined;
        if (!after) {
          out.dropRelations.push(`drop table ${relName(before!)};`);
          break;
        }
        if (!before) {
          const source = sourceOf(sources, `table ${after.schema}.${after.name}`);
          if (source) {
            out.relations.push(withSemicolon(source.sql.replace(/\s+if\s+not\s+exists/i, "")));
          } else {
            out.relations.push(
              `create table ${relName(after)} (\n  ${after.columns.map(columnDefinition).join(",\n  ")}\n);`,
            );
          }
          recreate(d.key);
          break;
        }
        const existing = before.columns.map((c) => c.name);
        const kept = after.columns.filter((c) => existing.includes(c.name)).map((c) => c.name);
        const firstNew = after.columns.findIndex((c) => !existing.includes(c.name));
        if (firstNew >= 0 && after.columns.slice(firstNew).some((c) => existing.includes(c.name))) {
          unsupported.add(
            `${d.key}: new column ${after.columns[firstNew].name} is not after the existing ones. Postgres adds a ` +
              `column at the end of its table: move it to the end of the create table in the schema file.`,
          );
        }
        if (firstNew < 0 && JSON.stringify(kept) !== JSON.stringify(existing.filter((n) => kept.includes(n)))) {
          unsupported.add(`${d.key}: columns in another order (Postgres cannot reorder columns)`);
        }
        for (const c of before.columns.filter((x) => !after.columns.some((y) => y.name === x.name))) {
          out.dropRelations.push(`alter table ${relName(after)} drop column ${ident(c.name)};`);
        }
        for (const c of after.columns) {
          const old = before.columns.find((x) => x.name === c.name);
          const alter = `alter table ${relName(after)} alter column ${ident(c.name)}`;
          if (!old) {
            out.columns.push(`alter table ${relName(after)} add column ${columnDefinition(c)};`);
            continue;
          }
          if (old.identity !== c.identity || old.generated !== c.generated) {
            if (old.identity !== c.identity && !old.generated && !c.generated) {
              if (!c.identity) out.columns.push(`${alter} drop identity;`);
              else if (!old.identity)
                out.columns.push(`${alter} add generated ${c.identity === "a" ? "always" : "by default"} as identity;`);
              else out.columns.push(`${alter} set generated ${c.identity === "a" ? "always" : "by default"};`);
            } else unsupported.add(`${d.key}: column ${c.name} becomes or stops being generated`);
          }
          if (old.type !== c.type || old.collation !== c.collation) {
            out.columns.push(
              `${alter} type ${c.type}${c.collation ? ` collate ${ident(c.collation)}` : ""} using ${ident(c.name)}::${c.type};`,
            );
          }
          if (old.default !== c.default && !c.generated && !c.identity) {
            out.columns.push(c.default === null ? `${alter} drop default;` : `${alter} set default ${c.default};`);
          }
          if (old.notNull !== c.notNull && !c.identity)
            out.columns.push(`${alter} ${c.notNull ? "set" : "drop"} not null;`);
        }
        break;
      }
      case "view":
      case "materialized view": {
        const before = a as RelationEntry | undefined;
        const after = b as RelationEntry | undefined;
        const kind = e.kind;
        if (
          before &&
          (!after || before.definition !== after.definition || d.fields?.some((f) => f.field.startsWith("depends")))
        ) {
          out.dropDependents.push(`drop ${kind} ${relName(before)};`);
        }
        if (
          after &&
          (!before || before.definition !== after.definition || d.fields?.some((f) => f.field.startsWith("depends")))
        ) {
          const source = sourceOf(sources, `${kind} ${after.schema}.${after.name}`);
          out.relations.push(
            source ? withSemicolon(source.sql) : `create ${kind} ${relName(after)} as\n${after.definition!.trimEnd()}`,
          );
          recreate(d.key);
        }
        break;
      }
      case "sequence": {
        const after = b as RelationEntry | undefined;
        if ((e as RelationEntry).definition?.includes("(identity)")) break; // made and dropped with its identity column
        if (!a) {
          const source = sourceOf(sources, `sequence ${after!.schema}.${after!.name}`);
          if (source) out.relations.push(withSemicolon(source.sql));
          else unsupported.add(`${d.key}: a new sequence not written as create sequence in a schema file`);
          recreate(d.key);
        } else if (!b) out.dropRelations.push(`drop sequence ${relName(a as RelationEntry)};`);
        else if ((a as RelationEntry).definition !== after!.definition)
          unsupported.add(`${d.key}: sequence parameters changed`);
        break;
      }
      case "constraint": {
        const c = e as Constraint;
        if (c.type === "n") break; // NOT NULL (Postgres 18 lists it here): the column's nullability says it
        const before = a as Constraint | undefined;
        const after = b as Constraint | undefined;
        const changed = before && after && before.definition !== after.definition;
        if (before && (!after || changed) && !droppedTables.has(onTable(before))) {
          out.dropConstraints.push(`alter table ${onTable(before)} drop constraint ${ident(before.name)};`);
        }
        if (after && (!before || changed)) {
          if (!before && createdFromSource.has(onTable(after))) break; // the create table statement makes it
          // one statement: NOT VALID + VALIDATE in the same transaction would block as long (squawk says so)
          out.constraints.push(
            `alter table ${onTable(after)} add constraint ${ident(after.name)} ${after.definition};`,
          );
          recreate(d.key);
        }
        break;
      }
      case "index": {
        const before = a as Index | undefined;
        const after = b as Index | undefined;
        if ((before?.constraint && (!after || after.constraint)) || (!before && after?.constraint)) break; // the constraint's
        const changed = before && after && before.definition !== after.definition;
        if (before && (!after || changed) && !droppedTables.has(onTable(before))) {
          out.dropIndexes.push(`drop index ${qname(before.schema, before.name)};`);
        }
        if (after && (!before || changed)) {
          const source = sourceOf(sources, `index ${after.schema}.${after.name}`);
          out.indexes.push(source ? withSemicolon(source.sql) : `${after.definition};`);
          recreate(d.key);
        }
        break;
      }
      case "trigger": {
        const before = a as Trigger | undefined;
        const after = b as Trigger | undefined;
        if (before && !after && !droppedTables.has(onTable(before))) {
          out.dropDependents.push(`drop trigger ${ident(before.name)} on ${onTable(before)};`);
        }
        if (
          after &&
          (!before || before.definition !== after.definition || d.fields?.some((f) => f.field.startsWith("depends")))
        ) {
          if (before) out.dropDependents.push(`drop trigger ${ident(before.name)} on ${onTable(before)};`);
          const source = sourceOf(sources, `trigger ${after.schema}.${after.table}.${after.name}`);
          out.triggers.push(source ? withSemicolon(source.sql) : `${after.definition};`);
          recreate(d.key);
        }
        if (before && after && before.enabled !== after.enabled) {
          const how = { O: "enable", D: "disable", R: "enable replica", A: "enable always" }[after.enabled] ?? "enable";
          out.triggers.push(`alter table ${onTable(after)} ${how} trigger ${ident(after.name)};`);
        }
        break;
      }
      case "policy": {
        const before = a as Policy | undefined;
        const after = b as Policy | undefined;
        const same = (x: Policy, y: Policy) =>
          JSON.stringify([x.permissive, x.roles, x.command, x.using, x.check]) ===
          JSON.stringify([y.permissive, y.roles, y.command, y.using, y.check]);
        const redo = before && after && (!same(before, after) || d.fields?.some((f) => f.field.startsWith("depends")));
        if (before && (!after || redo) && !droppedTables.has(onTable(before))) {
          out.dropDependents.push(`drop policy ${ident(before.name)} on ${onTable(before)};`);
        }
        if (after && (!before || redo)) {
          const source = sourceOf(sources, `policy ${after.schema}.${after.table}.${after.name}`);
          out.policies.push(
            source
              ? withSemicolon(source.sql)
              : `create policy ${ident(after.name)} on ${onTable(after)} as ${after.permissive} for ${after.command}` +
                  ` to ${after.roles.join(", ")}${after.using ? ` using (${after.using})` : ""}` +
                  `${after.check ? ` with check (${after.check})` : ""};`,
          );
          recreate(d.key);
        }
        break;
      }
      case "type": {
        const before = a as TypeEntry | undefined;
        const after = b as TypeEntry | undefined;
        if (!after) out.dropRelations.push(`drop type ${qname(before!.schema, before!.name)};`);
        else if (!before) {
          const source = sourceOf(sources, `type ${after.schema}.${after.name}`);
          if (source) out.relations.unshift(withSemicolon(source.sql));
          else unsupported.add(`${d.key}: a new type not written as create type / create domain in a schema file`);
          recreate(d.key);
        } else if (before.definition !== after.definition)
          unsupported.add(`${d.key}: a changed type (${after.definition})`);
        break;
      }
      default:
        if (JSON.stringify(a) !== JSON.stringify(b)) unsupported.add(`${d.key}: ${e.kind} is not generated`);
    }
  }

  // privileges, RLS and comments: compared on every object that differs (or was just created)
  for (const d of differences) {
    const a = fresh.has(d.key) ? undefined : current.get(d.key);
    const b = desired.get(d.key);
    if (!b) continue;
    switch (b.kind) {
      case "schema": {
        const s = b as SchemaEntry;
        const target: AclTarget = { sql: `schema ${ident(s.name)}`, defaults: [], supabaseDefaults: false, all: "all" };
        if (!a || JSON.stringify((a as SchemaEntry).acl) !== JSON.stringify(s.acl))
          out.privileges.push(...privilegeStatements(target, a ? (a as SchemaEntry).acl : null, s.acl));
        if ((a as SchemaEntry | undefined)?.comment !== s.comment && (a || s.comment))
          out.comments.push(commentStatement(`schema ${ident(s.name)}`, s.comment));
        break;
      }
      case "function": {
        const f = b as FunctionEntry;
        const before = a as FunctionEntry | undefined;
        const target: AclTarget = {
          sql: `function ${fnName(f)}`,
          defaults: ["public:EXECUTE"],
          supabaseDefaults: f.schema === "public",
          all: "execute",
        };
        if (!before || JSON.stringify(before.acl) !== JSON.stringify(f.acl))
          out.privileges.push(...privilegeStatements(target, before?.acl ?? null, f.acl));
        if (before ? before.comment !== f.comment : f.comment !== null)
          out.comments.push(commentStatement(`function ${fnName(f)}`, f.comment));
        break;
      }
      case "table":
      case "view":
      case "materialized view":
      case "sequence":
      case "partitioned table":
      case "foreign table": {
        const r = b as RelationEntry;
        const before = a as RelationEntry | undefined;
        if (r.kind === "sequence" && r.definition?.includes("(identity)") && !before) break;
        const word = r.kind === "partitioned table" ? "table" : r.kind;
        const target: AclTarget = {
          sql: `${r.kind === "sequence" ? "sequence" : "table"} ${relName(r)}`,
          defaults: [],
          supabaseDefaults: r.schema === "public",
          all: "all",
        };
        if (!before || JSON.stringify(before.acl) !== JSON.stringify(r.acl))
          out.privileges.push(...privilegeStatements(target, before?.acl ?? null, r.acl));
        if (r.kind === "table" || r.kind === "partitioned table") {
          if ((before?.rls ?? false) !== r.rls)
            out.rls.push(`alter table ${relName(r)} ${r.rls ? "enable" : "disable"} row level security;`);
          if ((before?.forceRls ?? false) !== r.forceRls)
            out.rls.push(`alter table ${relName(r)} ${r.forceRls ? "" : "no "}force row level security;`);
          if (JSON.stringify(before?.options ?? null) !== JSON.stringify(r.options))
            unsupported.add(`table ${relName(r)}: storage parameters (with (…)) changed`);
        }
        if (before ? before.comment !== r.comment : r.comment !== null)
          out.comments.push(commentStatement(`${word} ${relName(r)}`, r.comment));
        for (const c of r.columns) {
          const old = before?.columns.find((x) => x.name === c.name);
          if ((old?.comment ?? null) !== c.comment && (old || c.comment !== null))
            out.comments.push(commentStatement(`column ${relName(r)}.${ident(c.name)}`, c.comment));
        }
        out.privileges.push(...columnPrivilegeStatements(r, before));
        break;
      }
      case "index": {
        const i = b as Index;
        if (((a as Index | undefined)?.comment ?? null) !== i.comment)
          out.comments.push(commentStatement(`index ${qname(i.schema, i.name)}`, i.comment));
        break;
      }
      case "constraint": {
        const c = b as Constraint;
        if (((a as Constraint | undefined)?.comment ?? null) !== c.comment)
          out.comments.push(commentStatement(`constraint ${ident(c.name)} on ${onTable(c)}`, c.comment));
        break;
      }
      case "trigger":
      case "policy": {
        const t = b as Trigger | Policy;
        if (((a as Trigger | Policy | undefined)?.comment ?? null) !== t.comment)
          out.comments.push(commentStatement(`${t.kind} ${ident(t.name)} on ${onTable(t)}`, t.comment));
        break;
      }
      case "type": {
        const t = b as TypeEntry;
        const before = a as TypeEntry | undefined;
        const target: AclTarget = {
          sql: `type ${qname(t.schema, t.name)}`,
          defaults: ["public:USAGE"],
          supabaseDefaults: false,
          all: "usage",
        };
        if (!before || JSON.stringify(before.acl) !== JSON.stringify(t.acl))
          out.privileges.push(...privilegeStatements(target, before?.acl ?? null, t.acl));
        if ((before?.comment ?? null) !== t.comment)
          out.comments.push(commentStatement(`type ${qname(t.schema, t.name)}`, t.comment));
        break;
      }
    }
  }

  const byOrder = out.functions.sort((x, y) => x.order - y.order).map((f) => f.sql);
  const fkLast = (list: string[]) => [
    ...list.filter((s) => !/ foreign key /i.test(s)),
    ...list.filter((s) => / foreign key /i.test(s)),
  ];
  return [
    ...out.schemas,
    ...out.dropDependents,
    ...fkLast(out.dropConstraints).reverse(),
    ...out.dropIndexes,
    ...out.dropFunctions,
    ...out.dropRelations,
    ...out.relations,
    ...out.columns,
    ...byOrder,
    ...fkLast(out.constraints),
    ...out.indexes,
    ...out.triggers,
    ...out.rls,
    ...out.policies,
    ...out.privileges,
    ...out.comments,
  ];
}

async function migratedScratch(root: string): Promise<ScratchDatabase> {
  return pgliteRunner(await PGlite.create({ loadDataDir: await migratedPgliteTemplate(root) }));
}

/** The catalogs of both sides: what the migrations build, and what the schema files describe. */
export async function sideCatalogs(root = supabaseRoot()): Promise<{ migrations: Catalog; schemas: Catalog }> {
  const [migrations, schemas] = await Promise.all([pgliteCatalog("migrations", root), pgliteCatalog("schemas", root)]);
  return { migrations, schemas };
}

/**
 * The statements that take the migrated database to the schema files' catalog,
 * verified on a fresh copy. Throws CannotExpressError (with the differences left)
 * when they cannot get there.
 */
export async function generateMigration(root = supabaseRoot(), desiredCatalog?: Catalog): Promise<GeneratedMigration> {
  const desired = desiredCatalog ?? (await pgliteCatalog("schemas", root));
  const sources = readSchemaSources(root);
  const statements: string[] = [];
  const unsupported = new Set<string>();
  const scratch = await migratedScratch(root);
  try {
    for (let pass = 1; ; pass++) {
      const current = await readCatalog(scratch.query);
      const left = diffCatalogs(current, desired);
      if (left.length === 0) break;
      const planned = plan(current, desired, sources, unsupported);
      if (planned.length === 0 || pass > MAX_PASSES) {
        throw new CannotExpressError(
          [
            "the generated statements do not reach the schema files' catalog.",
            ...[...unsupported].map((u) => `cannot express: ${u}`),
            "left over (after the statements so far, vs the schema files):",
            describeDifferences(left, ["migrated", "schemas"]),
          ].join("\n"),
        );
      }
      for (const sql of planned) {
        try {
          await scratch.exec(sql);
        } catch (error) {
          throw new CannotExpressError(`this generated statement fails: ${(error as Error).message}\n${sql}`);
        }
      }
      statements.push(...planned);
    }
  } finally {
    await scratch.close();
  }
  if (statements.length) await verify(root, migrationText("verify", statements), desired);
  return { statements };
}

/** Applies the migration to a fresh migrated database in one transaction, as lib/db/migrate.ts does, and compares. */
export async function verify(root: string, sql: string, desired: Catalog): Promise<void> {
  const db = await migratedScratch(root);
  try {
    await db.exec("begin");
    await db.exec(sql);
    await db.exec("commit");
    const left = diffCatalogs(await readCatalog(db.query), desired);
    if (left.length) {
      throw new CannotExpressError(
        `the migration, applied alone to a migrated database, does not give the schema files' catalog:\n${describeDifferences(left, ["migrated", "schemas"])}`,
      );
    }
  } finally {
    await db.close();
  }
}

/** The migration file: a header saying where the definitions live, then the statements. */
export function migrationText(name: string, statements: string[]): string {
  return `/*
  ${name}: generated by \`npm run db:diff -- ${name}\` from supabase/schemas/.

  The schema files hold the current definition of every object and say why it
  exists; this file holds only what changed. Data changes (backfills, seed
  rows) are written below by hand when a change needs one.
*/
-- A migration that waits behind a long transaction for its lock holds up every query queued behind it, and
-- one that runs long holds its locks as long: give up instead (the migrator rolls back; run it again later).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

${statements.map((sql, i) => (i > 0 && (sql.includes("\n") || statements[i - 1].includes("\n")) ? `\n${sql}` : sql)).join("\n")}
`;
}
