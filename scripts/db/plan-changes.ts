/**
 * One planning pass of the migration generator (generate-migration.ts): the
 * statements that turn one catalog into another, as far as a single pass can
 * see. Drops come first (dependents, constraints, indexes, functions, tables and
 * columns), then tables and columns, functions in the order the schema files
 * define them, constraints, indexes, triggers, RLS, policies, privileges and
 * comments. Objects written in a schema file keep their text; privileges and
 * comments are generated from the catalog.
 */
import type {
  Catalog,
  CatalogEntry,
  Column,
  Constraint,
  FunctionEntry,
  Index,
  Policy,
  RelationEntry,
  SchemaEntry,
  Trigger,
  TypeEntry,
} from "./catalog";
import { diffCatalogs } from "./catalog";
import {
  columnPrivilegeStatements,
  commentStatement,
  privilegeStatements,
  type AclTarget,
} from "./privilege-statements";
import { sourceOf, type SchemaSources } from "./schema-sources";
import { fnName, ident, onTable, qname, relName, withSemicolon } from "./sql-names";

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
export function plan(current: Catalog, desired: Catalog, sources: SchemaSources, unsupported: Set<string>): string[] {
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
  const tableOrder = new Map<string, number>(); // a new table's create statement → its place in the schema files
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
            const sql = withSemicolon(source.sql.replace(/\s+if\s+not\s+exists/i, ""));
            tableOrder.set(sql, source.order);
            out.relations.push(sql);
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
  // new tables in the order the schema files write them (a foreign key names a table written before it)
  const tableSlots = out.relations.flatMap((sql, i) => (tableOrder.has(sql) ? [i] : []));
  const tablesInOrder = tableSlots.map((i) => out.relations[i]).sort((x, y) => tableOrder.get(x)! - tableOrder.get(y)!);
  tableSlots.forEach((slot, i) => (out.relations[slot] = tablesInOrder[i]));
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
