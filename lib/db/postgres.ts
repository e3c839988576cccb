/**
 * Postgres mode: a `pg` pool on DATABASE_URL (any Postgres 15+, also Supabase's
 * pooler). Each call shape is a named prepared statement, so the hot path
 * skips parsing and planning after the first use on a connection.
 */
import pg from "pg";
import { createHash } from "node:crypto";
import { classifyDriverError } from "./errors";
import type { RpcArgs, RpcOptions, SqlDatabase } from "./port";
import { buildSqlCall, resultOf } from "./sql-call";

export interface PostgresOptions {
  connectionString: string;
  max?: number;
  connectionTimeoutMillis?: number;
  /** Named prepared statements (default true). Turn off behind transaction-mode poolers that do not support them. */
  prepare?: boolean;
}

const statementNames = new Map<string, string>();
function statementName(key: string): string {
  let name = statementNames.get(key);
  if (!name) {
    name = "rpc_" + createHash("sha1").update(key).digest("hex").slice(0, 20);
    statementNames.set(key, name);
  }
  return name;
}

export function createPostgresDatabase(options: PostgresOptions): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => {});

  const prepare = options.prepare ?? true;

  const query = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => {
    try {
      return (await pool.query(sql, params as unknown[])).rows as Row[];
    } catch (error) {
      throw classifyDriverError(error);
    }
  };

  return {
    mode: "postgres",
    query,
    async exec(sql) {
      await query(sql);
    },
    async rpc(name: string, args?: RpcArgs, rpcOptions?: RpcOptions) {
      const call = buildSqlCall(name, args, rpcOptions);
      try {
        const result = await pool.query(
          prepare
            ? { name: statementName(call.key), text: call.text, values: call.values }
            : { text: call.text, values: call.values },
        );
        return resultOf(result.rows, rpcOptions);
      } catch (error) {
        throw classifyDriverError(error);
      }
    },
    async close() {
      await pool.end().catch(() => {});
    },
  };
}

/** A single dedicated connection (migrations need one session for the advisory lock). */
export async function withPostgresClient<T>(
  connectionString: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
