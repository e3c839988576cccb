/**
 * Group commit for the API's writes (docs/performance.md, "Spend API"): see
 * group-commit.ts for how calls go together. A spend or hold write goes alone
 * through its own function, or with those that waited behind it through
 * api_key_writes, with the same key check, rate limit, wallet lock and
 * idempotency as alone.
 *
 * api_key_writes has no subtransaction per write (they cost more than the
 * rare error saves): if one write raises (a bad argument, a deadlock with
 * another instance's batch), the whole batch rolls back and each write goes
 * again alone, so only the bad one fails and the API's caller never sees the
 * race.
 */
import { batcherOf, GroupCommit, type BatchOptions } from "./group-commit";
import type { Database, RpcArgsOf } from "./port";

/** The writes that may share a transaction. */
export type ApiWriteFunction =
  "spend_credits_with_api_key" | "create_hold_with_api_key" | "capture_hold_with_api_key" | "release_hold_with_api_key";

type ApiWrite = { [F in ApiWriteFunction]: { fn: F; args: RpcArgsOf<F> } }[ApiWriteFunction];

export class ApiWriteBatcher extends GroupCommit<ApiWrite> {
  constructor(db: Database, options: BatchOptions = {}) {
    super(db, { name: "api_key_writes", argument: "p_calls" }, options);
  }

  /** The function's raw answer for these arguments (the caller parses it). */
  call<F extends ApiWriteFunction>(fn: F, args: RpcArgsOf<F>): Promise<unknown> {
    return this.enqueue({ fn, args } as ApiWrite);
  }

  protected element(w: ApiWrite) {
    return { fn: w.fn, args: w.args };
  }

  protected callAlone(w: ApiWrite): Promise<unknown> {
    return this.db.rpc(w.fn, w.args as never);
  }
}

/** The API-write batcher of this database object, one per process. */
export const apiWriteBatcherOf = (db: Database): ApiWriteBatcher =>
  batcherOf(db, "credits.apiWriteBatcher", (d) => new ApiWriteBatcher(d));
