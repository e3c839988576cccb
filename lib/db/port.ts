/**
 * The database port: everything the app does to the database is a call of a
 * SQL function by name with named arguments, as Supabase's `.rpc()` does. The
 * three adapters (PGlite, pg, supabase-js) implement it; the typed wrappers in
 * lib/db/rpc/ check every result with zod. Names and arguments are typed from
 * the SQL itself (lib/db/generated/database.ts, `npm run db:types`).
 */
import type { Mode } from "@/lib/env";
import type { SqlFunctions } from "./generated/database";

export type RpcArgs = Record<string, unknown>;

/** A function of the public schema. */
export type RpcName = keyof SqlFunctions;

/** Its named arguments: `p_` names as in SQL, those with a default optional. */
export type RpcArgsOf<N extends RpcName> = SqlFunctions[N]["Args"];

export interface RpcOptions {
  /** "one": the function returns a single value (default); "rows": it returns a set/table. */
  returns?: "one" | "rows";
}

export interface Database {
  readonly mode: Mode;
  rpc<N extends RpcName>(name: N, args: RpcArgsOf<N>, options?: RpcOptions): Promise<unknown>;
  close(): Promise<void>;
}

/** Local adapters (PGlite, pg) also run plain SQL: migrations, tests, benchmarks. */
export interface SqlDatabase extends Database {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  exec(sql: string): Promise<void>;
}

export function isSqlDatabase(db: Database): db is SqlDatabase {
  return typeof (db as Partial<SqlDatabase>).query === "function";
}
