/**
 * TypeScript signatures of the SQL functions, read from the database catalog (an
 * offline `supabase gen types`): lib/db/generated/database.ts, written by
 * `npm run db:types` from bootstrap + supabase/schemas.
 *
 * - SqlFunctions: every function of public (trigger functions aside) with its
 *   arguments (names, types; those with a default are optional) and its result.
 *   Database.rpc takes its name and arguments from here, so a renamed or retyped
 *   `p_` argument breaks `tsc` at every caller.
 * - WebhookActionArgs: the keys each webhook_action_<name>(p_args jsonb) reads
 *   (`p_args ->> 'key'`, with the type of its cast), following hand-offs to
 *   another action. lib/db/actions.ts builds every action against it.
 */
import { format } from "prettier";
import type { Query } from "./catalog";

interface FunctionRow {
  name: string;
  comment: string | null;
  returns_set: boolean;
  return_type: string;
  /** Columns of a composite return type (setof public.credit_plans). */
  return_columns: Array<{ name: string; type: string }> | null;
  arg_names: string[];
  arg_modes: string[];
  arg_types: string[];
  defaults: number;
  source: string;
}

/** How a SQL type is written in TypeScript, as the app passes it (numbers for bigint, ISO text for times). */
function argumentType(sql: string): string {
  if (sql.endsWith("[]")) {
    const element = argumentType(sql.slice(0, -2));
    return element === "unknown" ? "unknown[]" : `${element}[]`;
  }
  if (/^(text|character varying|character|name|uuid|citext|inet|interval)\b/.test(sql)) return "string";
  if (/^(integer|smallint|bigint|real|double precision)$/.test(sql)) return "number";
  if (sql.startsWith("numeric")) return "number | string";
  if (sql === "boolean") return "boolean";
  if (/^(timestamp|date|time)/.test(sql)) return "string";
  if (sql === "bytea") return "Uint8Array";
  return "unknown"; // jsonb, json, anything else: any value the driver can send
}

/** How a result type arrives, across drivers (pg: int8 as string, Date; supabase-js: JSON): what the zod parse accepts. */
function resultType(sql: string): string {
  if (sql.endsWith("[]")) return `Array<${resultType(sql.slice(0, -2))}>`;
  if (/^(text|character varying|character|name|uuid|citext|inet|interval)\b/.test(sql)) return "string";
  if (/^(integer|smallint|real|double precision)$/.test(sql)) return "number";
  if (sql === "bigint" || sql.startsWith("numeric")) return "number | string";
  if (sql === "boolean") return "boolean";
  if (/^(timestamp|date|time)/.test(sql)) return "string | Date";
  if (sql === "json" || sql === "jsonb") return "Json";
  if (sql === "void") return "void";
  return "unknown";
}

const doc = (comment: string | null, indent: string) =>
  comment ? `${indent}/** ${comment.replaceAll("*/", "*\\/").replace(/\s+/g, " ")} */\n` : "";

function signature(f: FunctionRow): string {
  const modes = f.arg_modes.length ? f.arg_modes : f.arg_types.map(() => "i");
  const inputs = f.arg_types
    .map((type, i) => ({ name: f.arg_names[i] ?? `$${i + 1}`, type, mode: modes[i] }))
    .filter((a) => a.mode === "i" || a.mode === "b" || a.mode === "v");
  const outputs = f.arg_types
    .map((type, i) => ({ name: f.arg_names[i], type, mode: modes[i] }))
    .filter((a) => a.mode === "o" || a.mode === "b" || a.mode === "t");
  const args = inputs.length
    ? `{ ${inputs
        .map((a, i) => `${a.name}${i >= inputs.length - f.defaults ? "?" : ""}: ${argumentType(a.type)} | null`)
        .join("; ")} }`
    : "Record<string, never>";
  const columns = outputs.length ? outputs : (f.return_columns ?? []);
  let result = columns.length
    ? `{ ${columns.map((c) => `${c.name}: ${resultType(c.type)} | null`).join("; ")} }`
    : `${resultType(f.return_type)}${f.return_type === "void" ? "" : " | null"}`;
  if (f.returns_set) result = `Array<${result}>`;
  return `${doc(f.comment, "  ")}  ${f.name}: {\n    Args: ${args};\n    Returns: ${result};\n  };`;
}

/** A key an action reads, and the TypeScript type of what it must hold. */
type ActionKeys = Map<string, Set<string>>;

function castType(cast: string | undefined, operator: string): string {
  if (operator !== "->>") return "unknown"; // a jsonb value (array, object) or a key test
  if (!cast) return "JsonScalar"; // ->> gives the text of any scalar
  return argumentType(cast.toLowerCase().replace(/\s+/g, " "));
}

/**
 * The keys webhook_action_<name> reads from p_args, following webhook_action_y(p_args - 'a')
 * and webhook_action_y(p_args || jsonb_build_object('a', …)) hand-offs.
 */
export function webhookActionKeys(name: string, sources: Map<string, string>, seen: string[] = []): ActionKeys {
  const source = sources.get(name);
  if (source === undefined) throw new Error(`no function public.webhook_action_${name}(jsonb)`);
  if (seen.includes(name)) throw new Error(`hand-off cycle: ${[...seen, name].join(" → ")}`);
  const body = source.replace(/--[^\n]*/g, "");
  const keys: ActionKeys = new Map();
  const add = (key: string, type: string) => keys.set(key, new Set([...(keys.get(key) ?? []), type]));
  for (const m of body.matchAll(
    /(\()?\s*p_args\s*(->>|->|\?)\s*'(\w+)'(?:\s*\)\s*::\s*(\w+(?:\s+with(?:out)?\s+time\s+zone)?(?:\[\])?))?/g,
  )) {
    add(m[3], castType(m[1] ? m[4] : undefined, m[2]));
  }
  for (const m of body.matchAll(
    /webhook_action_(\w+)\(\s*p_args((?:\s*-\s*'\w+')*)(?:\s*\|\|\s*jsonb_build_object\(([^;]*?)\)\s*\))?/g,
  )) {
    const removed = new Set([...m[2].matchAll(/'(\w+)'/g)].map((k) => k[1]));
    const set = new Set(m[3] ? [...m[3].matchAll(/'(\w+)'\s*,/g)].map((k) => k[1]) : []);
    for (const [key, types] of webhookActionKeys(m[1], sources, [...seen, name])) {
      if (!removed.has(key) && !set.has(key)) types.forEach((t) => add(key, t));
    }
  }
  // any other use of p_args as a whole would hide keys from the types
  const uses = [...body.matchAll(/p_args(?!\s*(?:->>|->|\?)\s*')/g)].length;
  const handOffs = [...body.matchAll(/webhook_action_\w+\(\s*p_args/g)].length;
  if (uses !== handOffs)
    throw new Error(`webhook_action_${name} uses p_args whole: teach scripts/db/types-generator.ts`);
  return keys;
}

/** A cast wins over the plain text read of the same key; unknown (a jsonb value) over both. */
function keyType(types: Set<string>): string {
  if (types.has("unknown")) return "unknown";
  const cast = [...types].filter((t) => t !== "JsonScalar");
  return `${(cast.length ? cast : [...types]).join(" | ")} | null`;
}

export async function readFunctions(query: Query): Promise<FunctionRow[]> {
  return query<FunctionRow>(
    `select p.proname as name, pg_catalog.obj_description(p.oid, 'pg_proc') as comment,
            p.proretset as returns_set, pg_catalog.format_type(p.prorettype, null) as return_type,
            case when t.typtype = 'c' then (
              select json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod))
                              order by a.attnum)
                from pg_catalog.pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped)
            end as return_columns,
            coalesce(p.proargnames, '{}') as arg_names, coalesce(p.proargmodes::text[], '{}') as arg_modes,
            array(select pg_catalog.format_type(x.oid, null)
                    from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality x(oid, i)
                   order by x.i) as arg_types,
            p.pronargdefaults as defaults, p.prosrc as source
       from pg_catalog.pg_proc p
       join pg_catalog.pg_namespace n on n.oid = p.pronamespace
       join pg_catalog.pg_type t on t.oid = p.prorettype
      where n.nspname = 'public' and p.prokind = 'f' and p.prorettype <> 'pg_catalog.trigger'::regtype
      order by p.proname, pg_catalog.oidvectortypes(p.proargtypes)`,
  );
}

/** The whole generated file, formatted as Prettier formats the repository. */
export async function generateTypes(query: Query): Promise<string> {
  const functions = await readFunctions(query);
  const overloaded = functions.filter((f, i) => functions.findIndex((g) => g.name === f.name) !== i);
  if (overloaded.length)
    throw new Error(`overloaded functions cannot be typed by name: ${overloaded.map((f) => f.name)}`);
  const actions = new Map(
    functions
      .filter((f) => f.name.startsWith("webhook_action_") && f.arg_types.join() === "jsonb")
      .map((f) => [f.name.slice("webhook_action_".length), f.source]),
  );
  const actionTypes = [...actions.keys()].sort().map((name) => {
    const keys = webhookActionKeys(name, actions);
    const fields = [...keys].sort(([a], [b]) => a.localeCompare(b)).map(([key, types]) => `${key}: ${keyType(types)}`);
    return `  ${name}: { ${fields.join("; ")} };`;
  });
  const text = `/**
 * Generated by \`npm run db:types\` from the catalog of supabase/bootstrap + supabase/schemas: do not edit.
 * tests/integration/db-types.test.ts fails when this file no longer matches the SQL.
 */

/** A JSON value (jsonb results). */
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

/** A JSON scalar: what \`p_args ->> 'key'\` reads as text without a cast. */
export type JsonScalar = string | number | boolean;

/**
 * The SQL functions of the public schema: arguments (those with a default are optional) and result.
 * Every argument accepts null (no function is STRICT).
 */
export interface SqlFunctions {
${functions.map(signature).join("\n")}
}

/** The keys each webhook_action_<name>(p_args jsonb) reads from p_args, by action name. */
export interface WebhookActionArgs {
${actionTypes.join("\n")}
}
`;
  return format(text, { parser: "typescript", printWidth: 120 });
}
