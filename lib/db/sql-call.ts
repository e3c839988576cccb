/** Builds the SQL for an rpc call with Postgres named notation: `public.fn(p_a => $1, …)`. */
import type { RpcArgs, RpcOptions } from "./port";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface SqlCall {
  text: string;
  values: unknown[];
  /** Stable per statement shape: lets pg keep one prepared statement per call shape. */
  key: string;
}

function toParam(value: unknown): unknown {
  if (value === null || value instanceof Date || Array.isArray(value)) return value;
  if (typeof value === "object") return JSON.stringify(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

export function buildSqlCall(name: string, args: RpcArgs = {}, options: RpcOptions = {}): SqlCall {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid function name: ${name}`);
  const names: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue; // omitted → the function's default
    if (!IDENTIFIER.test(key)) throw new Error(`invalid argument name: ${key}`);
    names.push(key);
    values.push(toParam(value));
  }
  const list = names.map((n, i) => `${n} => $${i + 1}`).join(", ");
  const returns = options.returns ?? "one";
  const text =
    returns === "rows" ? `select * from public.${name}(${list})` : `select public.${name}(${list}) as result`;
  return { text, values, key: `${returns}:${name}(${names.join(",")})` };
}

export function resultOf(rows: Record<string, unknown>[], options: RpcOptions = {}): unknown {
  return (options.returns ?? "one") === "rows" ? rows : (rows[0]?.result ?? null);
}
