/**
 * A call the generated types refuse (lib/db/generated/database.ts): a name no SQL
 * function has, a missing argument, a value of the wrong type. For the tests of the
 * adapters' transport and of the SQL functions' own guards against bad input.
 */
import type { Database, RpcArgs, RpcOptions } from "@/lib/db/port";

type UncheckedRpc = (name: string, args?: RpcArgs, options?: RpcOptions) => Promise<unknown>;

export function rpcUnchecked(db: Database, name: string, args: RpcArgs = {}, options?: RpcOptions): Promise<unknown> {
  return (db as unknown as { rpc: UncheckedRpc }).rpc(name, args, options);
}
