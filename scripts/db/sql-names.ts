/** How the generator writes names and literals in SQL. */
import type { FunctionEntry } from "./catalog";

export const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
export const ident = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`);
export const qname = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;
export const fnName = (f: FunctionEntry) => `${qname(f.schema, f.name)}(${f.identity})`;
export const relName = (r: { schema: string; name: string }) => qname(r.schema, r.name);
export const onTable = (o: { schema: string; table: string }) => qname(o.schema, o.table);
export const withSemicolon = (sql: string) => (sql.trimEnd().endsWith(";") ? sql.trimEnd() : `${sql.trimEnd()};`);
