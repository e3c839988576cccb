/**
 * Embedded mode: PGlite (Postgres compiled to WASM) in this process, data under
 * .data/pglite. Migrated on first use. PGlite runs one query at a time; it
 * queues concurrent calls itself, and each rpc is one statement (one
 * transaction), so concurrent requests stay correct.
 */
import { PGlite } from "@electric-sql/pglite";
import fs from "node:fs";
import { classifyDriverError } from "./errors";
import { migrate } from "./migrate";
import type { RpcArgs, RpcOptions, SqlDatabase } from "./port";
import { buildSqlCall, resultOf } from "./sql-call";

export interface PgliteOptions {
  /** Folder for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Migrate on first use (default true). */
  migrate?: boolean;
  /** Start from a dump (PGlite dumpDataDir) instead of an empty cluster: tests use a migrated template. */
  loadDataDir?: Blob;
}

export function createPgliteDatabase(options: PgliteOptions = {}): SqlDatabase {
  let ready: Promise<PGlite> | undefined;

  const open = (): Promise<PGlite> => {
    ready ??= (async () => {
      if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
      const pg = await PGlite.create({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      });
      if (options.migrate !== false) {
        await migrate({
          exec: async (sql) => void (await pg.exec(sql)),
          query: async (sql, params) => (await pg.query(sql, params)).rows as never[],
        });
      }
      return pg;
    })().catch((error) => {
      ready = undefined; // let the next call try again
      throw error;
    });
    return ready;
  };

  const query = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => {
    const pg = await open();
    try {
      return (await pg.query<Row>(sql, params)).rows;
    } catch (error) {
      throw classifyDriverError(error);
    }
  };

  return {
    mode: "embedded",
    query,
    async exec(sql) {
      const pg = await open();
      try {
        await pg.exec(sql);
      } catch (error) {
        throw classifyDriverError(error);
      }
    },
    async rpc(name: string, args?: RpcArgs, rpcOptions?: RpcOptions) {
      const call = buildSqlCall(name, args, rpcOptions);
      return resultOf(await query<Record<string, unknown>>(call.text, call.values), rpcOptions);
    },
    async close() {
      if (ready) {
        const pg = await ready.catch(() => undefined);
        ready = undefined;
        await pg?.close();
      }
    },
  };
}
