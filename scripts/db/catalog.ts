/**
 * The catalog of a database, as plain data: every table (columns in order, with
 * types, defaults, nullability), constraint, index, trigger, policy, function
 * (its full definition), view, sequence, type, schema and extension of the
 * schemas the app owns, with their privileges and comments. Objects are keyed by
 * name, never by oid, so two databases built differently (the migrations, the
 * schema files) compare equal exactly when they hold the same objects.
 *
 * Privileges are compared as sets of (grantee, privilege); the role that owns
 * the objects (whoever ran the SQL) is called "owner". app_meta (the migrator's
 * own bookkeeping) and objects that belong to an extension are left out.
 */

export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

export interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  /** "a" = generated always, "d" = by default, "" = not an identity column */
  identity: string;
  /** "s" = stored generated column */
  generated: string;
  collation: string | null;
  acl: string[];
  comment: string | null;
}

export interface Relation {
  kind: "table" | "view" | "materialized view" | "foreign table" | "partitioned table" | "sequence";
  schema: string;
  name: string;
  columns: Column[];
  rls: boolean;
  forceRls: boolean;
  acl: string[];
  comment: string | null;
  /** views: pg_get_viewdef; sequences: their parameters and owning column */
  definition: string | null;
  options: string[] | null;
}

export interface Constraint {
  kind: "constraint";
  schema: string;
  table: string;
  name: string;
  /** p, u, f, c, x, t */
  type: string;
  definition: string;
  comment: string | null;
}

export interface Index {
  kind: "index";
  schema: string;
  table: string;
  name: string;
  definition: string;
  /** The constraint (primary key, unique, exclusion) this index implements, if any. */
  constraint: string | null;
  comment: string | null;
}

export interface Trigger {
  kind: "trigger";
  schema: string;
  table: string;
  name: string;
  definition: string;
  enabled: string;
  comment: string | null;
}

export interface Policy {
  kind: "policy";
  schema: string;
  table: string;
  name: string;
  permissive: string;
  roles: string[];
  command: string;
  using: string | null;
  check: string | null;
  comment: string | null;
}

export interface FunctionEntry {
  kind: "function";
  schema: string;
  name: string;
  /** Input argument types: with schema and name, what identifies the function. */
  identity: string;
  /** f = function, p = procedure, a = aggregate, w = window */
  prokind: string;
  /** pg_get_functiondef: header, attributes and body, exactly as stored. */
  definition: string;
  /** Arguments with names and defaults (pg_get_function_arguments). */
  arguments: string;
  /** pg_get_function_result */
  result: string;
  argumentNames: string[];
  defaults: number;
  language: string;
  acl: string[];
  comment: string | null;
}

export interface SchemaEntry {
  kind: "schema";
  name: string;
  acl: string[];
  comment: string | null;
}

export interface TypeEntry {
  kind: "type";
  schema: string;
  name: string;
  definition: string;
  acl: string[];
  comment: string | null;
}

export interface OtherEntry {
  kind: "extension" | "default privileges" | "event trigger";
  name: string;
  definition: string;
}

export type RelationEntry = Relation & { kind: Relation["kind"] };

export type CatalogEntry =
  RelationEntry | Constraint | Index | Trigger | Policy | FunctionEntry | SchemaEntry | TypeEntry | OtherEntry;

/** Every object by a readable key: "table public.profiles", "function public.get_wallet(uuid)", … */
export type Catalog = Map<string, CatalogEntry>;

const RELKINDS: Record<string, Relation["kind"]> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  S: "sequence",
};

/** Schemas compared: everything but Postgres' own and the migrator's bookkeeping. */
const SCHEMA_FILTER = `n.nspname not in ('pg_catalog', 'information_schema', 'app_meta')
  and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;

/** Objects created by an extension are the extension's, not ours. */
const notExtensionMember = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend d where d.classid = '${catalog}'::regclass
                and d.objid = ${oid} and d.deptype = 'e')`;

/** An ACL (or the object kind's default when it is null) as sorted "grantee:PRIVILEGE" strings. */
const aclSql = (acl: string, kind: string, owner: string) => `coalesce((
    select array_agg(case when x.grantee = 0 then 'public'
                          when x.grantee = ${owner} then 'owner'
                          else pg_catalog.pg_get_userbyid(x.grantee) end
                     || ':' || x.privilege_type || case when x.is_grantable then '*' else '' end)
      from pg_catalog.aclexplode(coalesce(${acl}, pg_catalog.acldefault(${kind}, ${owner}))) x), '{}')`;

const columnAclSql = `coalesce((
    select array_agg(case when x.grantee = 0 then 'public' else pg_catalog.pg_get_userbyid(x.grantee) end
                     || ':' || x.privilege_type)
      from pg_catalog.aclexplode(a.attacl) x), '{}')`;

/** Privileges and role lists are sets: sorted, so the order they were granted in does not count. */
function sortLists<T extends CatalogEntry>(entry: T): T {
  const e = entry as T & { acl?: string[]; roles?: string[]; columns?: Column[] };
  e.acl?.sort();
  e.roles?.sort();
  e.columns?.forEach((c) => c.acl.sort());
  return entry;
}

export async function readCatalog(query: Query): Promise<Catalog> {
  const catalog: Catalog = new Map();
  const add = (key: string, entry: CatalogEntry) => {
    if (catalog.has(key)) throw new Error(`two catalog objects named ${key}`);
    catalog.set(key, sortLists(entry));
  };

  for (const s of await query<{ name: string; acl: string[]; comment: string | null }>(
    `select n.nspname as name, ${aclSql("n.nspacl", "'n'", "n.nspowner")} as acl,
            pg_catalog.obj_description(n.oid, 'pg_namespace') as comment
       from pg_catalog.pg_namespace n
      where ${SCHEMA_FILTER} and ${notExtensionMember("pg_namespace", "n.oid")}`,
  )) {
    add(`schema ${s.name}`, { kind: "schema", ...s });
  }

  for (const e of await query<{ name: string; schema: string }>(
    `select e.extname as name, n.nspname as schema
       from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
      where e.extname <> 'plpgsql'`,
  )) {
    add(`extension ${e.name}`, { kind: "extension", name: e.name, definition: `schema ${e.schema}` });
  }

  const relations = await query<{
    oid: number;
    schema: string;
    name: string;
    relkind: string;
    rls: boolean;
    force_rls: boolean;
    acl: string[];
    comment: string | null;
    definition: string | null;
    options: string[] | null;
  }>(
    `select c.oid, n.nspname as schema, c.relname as name, c.relkind::text as relkind,
            c.relrowsecurity as rls, c.relforcerowsecurity as force_rls,
            ${aclSql("c.relacl", "case when c.relkind = 'S' then 's'::\"char\" else 'r'::\"char\" end", "c.relowner")} as acl,
            pg_catalog.obj_description(c.oid, 'pg_class') as comment,
            case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid, true)
                 when c.relkind = 'S' then (
                   select format('%s start %s increment %s min %s max %s cache %s%s%s',
                                 pg_catalog.format_type(q.seqtypid, null), q.seqstart, q.seqincrement, q.seqmin,
                                 q.seqmax, q.seqcache, case when q.seqcycle then ' cycle' else '' end,
                                 coalesce((select ' owned by ' || t.relname || '.' || a.attname
                                                  || case d.deptype when 'i' then ' (identity)' else '' end
                                             from pg_catalog.pg_depend d
                                             join pg_catalog.pg_class t on t.oid = d.refobjid
                                             join pg_catalog.pg_attribute a
                                               on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                                            where d.classid = 'pg_class'::regclass and d.objid = c.oid
                                              and d.deptype in ('a', 'i')), ''))
                     from pg_catalog.pg_sequence q where q.seqrelid = c.oid)
            end as definition,
            c.reloptions::text[] as options
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and ${SCHEMA_FILTER}
        and ${notExtensionMember("pg_class", "c.oid")}`,
  );
  const columns = await query<Column & { relid: number }>(
    `select a.attrelid as relid, a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type,
            a.attnotnull as "notNull", pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default,
            a.attidentity::text as identity, a.attgenerated::text as generated,
            case when a.attcollation <> t.typcollation then co.collname end as collation,
            ${columnAclSql} as acl, pg_catalog.col_description(a.attrelid, a.attnum) as comment
       from pg_catalog.pg_attribute a
       join pg_catalog.pg_class c on c.oid = a.attrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       join pg_catalog.pg_type t on t.oid = a.atttypid
       left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       left join pg_catalog.pg_collation co on co.oid = a.attcollation
      where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and ${SCHEMA_FILTER}
      order by a.attrelid, a.attnum`,
  );
  for (const r of relations) {
    const kind = RELKINDS[r.relkind];
    add(`${kind} ${r.schema}.${r.name}`, {
      kind,
      schema: r.schema,
      name: r.name,
      columns: columns.filter((c) => c.relid === r.oid).map(({ relid: _relid, ...c }) => c),
      rls: r.rls,
      forceRls: r.force_rls,
      acl: r.acl,
      comment: r.comment,
      definition: r.definition,
      options: r.options,
    });
  }

  for (const c of await query<Omit<Constraint, "kind">>(
    `select n.nspname as schema, t.relname as table, c.conname as name, c.contype::text as type,
            pg_catalog.pg_get_constraintdef(c.oid, true) as definition,
            pg_catalog.obj_description(c.oid, 'pg_constraint') as comment
       from pg_catalog.pg_constraint c
       join pg_catalog.pg_class t on t.oid = c.conrelid
       join pg_catalog.pg_namespace n on n.oid = t.relnamespace
      where ${SCHEMA_FILTER}`,
  )) {
    add(`constraint ${c.schema}.${c.table}.${c.name}`, { kind: "constraint", ...c });
  }

  for (const i of await query<Omit<Index, "kind">>(
    `select n.nspname as schema, t.relname as table, c.relname as name,
            pg_catalog.pg_get_indexdef(c.oid) as definition,
            (select k.conname from pg_catalog.pg_constraint k where k.conindid = c.oid and k.conrelid = t.oid
              and k.contype in ('p', 'u', 'x')) as constraint,
            pg_catalog.obj_description(c.oid, 'pg_class') as comment
       from pg_catalog.pg_index x
       join pg_catalog.pg_class c on c.oid = x.indexrelid
       join pg_catalog.pg_class t on t.oid = x.indrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where ${SCHEMA_FILTER} and ${notExtensionMember("pg_class", "c.oid")}`,
  )) {
    add(`index ${i.schema}.${i.name}`, { kind: "index", ...i });
  }

  for (const t of await query<Omit<Trigger, "kind">>(
    `select n.nspname as schema, c.relname as table, g.tgname as name,
            pg_catalog.pg_get_triggerdef(g.oid, true) as definition, g.tgenabled::text as enabled,
            pg_catalog.obj_description(g.oid, 'pg_trigger') as comment
       from pg_catalog.pg_trigger g
       join pg_catalog.pg_class c on c.oid = g.tgrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where not g.tgisinternal and ${SCHEMA_FILTER}`,
  )) {
    add(`trigger ${t.schema}.${t.table}.${t.name}`, { kind: "trigger", ...t });
  }

  for (const p of await query<Omit<Policy, "kind">>(
    `select n.nspname as schema, c.relname as table, p.polname as name,
            case when p.polpermissive then 'permissive' else 'restrictive' end as permissive,
            coalesce((select array_agg(case when r = 0 then 'public' else pg_catalog.pg_get_userbyid(r)::text end)
                        from unnest(p.polroles) r), '{}') as roles,
            case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update'
                          when 'd' then 'delete' else 'all' end as command,
            pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using,
            pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check,
            pg_catalog.obj_description(p.oid, 'pg_policy') as comment
       from pg_catalog.pg_policy p
       join pg_catalog.pg_class c on c.oid = p.polrelid
       join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where ${SCHEMA_FILTER}`,
  )) {
    add(`policy ${p.schema}.${p.table}.${p.name}`, { kind: "policy", ...p });
  }

  for (const f of await query<Omit<FunctionEntry, "kind">>(
    `select n.nspname as schema, p.proname as name,
            pg_catalog.oidvectortypes(p.proargtypes) as identity, p.prokind::text as prokind,
            case when p.prokind = 'a' then null else pg_catalog.pg_get_functiondef(p.oid) end as definition,
            pg_catalog.pg_get_function_arguments(p.oid) as arguments,
            coalesce(pg_catalog.pg_get_function_result(p.oid), '') as result,
            coalesce(p.proargnames, '{}') as "argumentNames", p.pronargdefaults as defaults,
            l.lanname as language, ${aclSql("p.proacl", "'f'", "p.proowner")} as acl,
            pg_catalog.obj_description(p.oid, 'pg_proc') as comment
       from pg_catalog.pg_proc p
       join pg_catalog.pg_namespace n on n.oid = p.pronamespace
       join pg_catalog.pg_language l on l.oid = p.prolang
      where ${SCHEMA_FILTER} and ${notExtensionMember("pg_proc", "p.oid")}`,
  )) {
    add(`function ${f.schema}.${f.name}(${f.identity})`, { kind: "function", ...f });
  }

  for (const t of await query<Omit<TypeEntry, "kind">>(
    `select n.nspname as schema, t.typname as name,
            case t.typtype
              when 'e' then 'enum (' || (select string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)
                                           from pg_catalog.pg_enum e where e.enumtypid = t.oid) || ')'
              when 'd' then 'domain ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)
                            || case when t.typnotnull then ' not null' else '' end
                            || coalesce(' default ' || t.typdefault, '')
                            || coalesce((select ' ' || string_agg(pg_catalog.pg_get_constraintdef(k.oid), ' ' order by k.conname)
                                           from pg_catalog.pg_constraint k where k.contypid = t.oid), '')
              when 'c' then 'composite (' || (select string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum)
                                                from pg_catalog.pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) || ')'
              else 'type ' || t.typtype::text
            end as definition,
            ${aclSql("t.typacl", "'T'", "t.typowner")} as acl,
            pg_catalog.obj_description(t.oid, 'pg_type') as comment
       from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
      where ${SCHEMA_FILTER} and ${notExtensionMember("pg_type", "t.oid")}
        and t.typtype in ('e', 'd', 'c', 'r', 'm', 'b') and t.typelem = 0
        and (t.typrelid = 0 or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')`,
  )) {
    add(`type ${t.schema}.${t.name}`, { kind: "type", ...t });
  }

  for (const d of await query<{ name: string; definition: string }>(
    `select coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text || ' for ' || pg_catalog.pg_get_userbyid(d.defaclrole) as name,
            d.defaclacl::text as definition
       from pg_catalog.pg_default_acl d left join pg_catalog.pg_namespace n on n.oid = d.defaclnamespace`,
  )) {
    add(`default privileges ${d.name}`, { kind: "default privileges", ...d });
  }

  for (const e of await query<{ name: string; definition: string }>(
    `select e.evtname as name, e.evtevent || ' ' || e.evtfoid::regprocedure::text || ' ' || e.evtenabled::text as definition
       from pg_catalog.pg_event_trigger e where ${notExtensionMember("pg_event_trigger", "e.oid")}`,
  )) {
    add(`event trigger ${e.name}`, { kind: "event trigger", ...e });
  }

  return catalog;
}

/** The readable key of a relation entry: "table public.profiles". */
export const relationKey = (kind: Relation["kind"], schema: string, name: string) => `${kind} ${schema}.${name}`;

const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

export interface CatalogDifference {
  key: string;
  /** "missing" = only in the second catalog, "extra" = only in the first, "changed" = in both, different */
  change: "extra" | "missing" | "changed";
  /** For "changed": which fields differ, with both values. */
  fields?: Array<{ field: string; a: unknown; b: unknown }>;
}

/** Columns compared one by one, then their order (Postgres adds a column at the end of its table). */
function columnDifferences(a: Column[], b: Column[]): Array<{ field: string; a: unknown; b: unknown }> {
  const names = [...new Set([...a, ...b].map((c) => c.name))];
  const fields = names
    .map((name) => ({ name, x: a.find((c) => c.name === name), y: b.find((c) => c.name === name) }))
    .filter(({ x, y }) => stable(x) !== stable(y))
    .map(({ name, x, y }): { field: string; a: unknown; b: unknown } => ({
      field: `column ${name}`,
      a: x ?? "(none)",
      b: y ?? "(none)",
    }));
  const order = (columns: Column[]) =>
    columns.map((c) => c.name).filter((n) => a.some((c) => c.name === n) && b.some((c) => c.name === n));
  if (stable(order(a)) !== stable(order(b))) fields.push({ field: "column order", a: order(a), b: order(b) });
  return fields;
}

/** What differs between two catalogs, object by object (a = the first, b = the second). */
export function diffCatalogs(a: Catalog, b: Catalog): CatalogDifference[] {
  const differences: CatalogDifference[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(key);
    const y = b.get(key);
    if (!y) differences.push({ key, change: "extra" });
    else if (!x) differences.push({ key, change: "missing" });
    else if (stable(x) !== stable(y)) {
      const fields = Object.keys({ ...x, ...y })
        .filter((f) => stable((x as never)[f]) !== stable((y as never)[f]))
        .flatMap((field) =>
          field === "columns"
            ? columnDifferences((x as Relation).columns, (y as Relation).columns)
            : [{ field, a: (x as never)[field], b: (y as never)[field] }],
        );
      differences.push({ key, change: "changed", fields });
    }
  }
  return differences;
}

/** The lines only one side has (a longest-common-subsequence diff), marked with that side's label. */
function textDiff(a: string, b: string, labels: [string, string]): string {
  const x = a.split("\n");
  const y = b.split("\n");
  const common = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      common[i][j] = x[i] === y[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
    } else if (j >= y.length || (i < x.length && common[i + 1][j] >= common[i][j + 1]))
      lines.push(`      ${labels[0]}: ${x[i++]}`);
    else lines.push(`      ${labels[1]}: ${y[j++]}`);
  }
  return lines.join("\n");
}

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** A report a person can act on: one paragraph per object, naming the side that has it. */
export function describeDifferences(differences: CatalogDifference[], labels: [string, string]): string {
  return differences
    .map((d) => {
      if (d.change === "extra") return `- ${d.key}: only in ${labels[0]}`;
      if (d.change === "missing") return `- ${d.key}: only in ${labels[1]}`;
      const fields = (d.fields ?? []).map((f) => {
        const a = show(f.a);
        const b = show(f.b);
        return a.includes("\n") || b.includes("\n") || a.length + b.length > 160
          ? `    ${f.field} differs:\n${textDiff(a, b, labels)}`
          : `    ${f.field}: ${labels[0]} ${a} | ${labels[1]} ${b}`;
      });
      return `- ${d.key} differs:\n${fields.join("\n")}`;
    })
    .join("\n");
}
