/**
 * Group commit for webhook deliveries (issue 14; docs/performance.md): see
 * group-commit.ts for how calls go together. A delivery goes alone through
 * ingest_webhook_event, or with those that waited behind it through
 * ingest_webhook_events, each in its own subtransaction with the same lock,
 * dedupe and action as alone. A delivery the batch rolled back is rejected
 * with its error (a transient one reads 503, and the provider retries),
 * except one rolled back for a deadlock: two instances' batches can take the
 * same events' and wallets' locks in opposite orders, and Postgres ends one of
 * them. That delivery runs again alone once its batch has committed, as the
 * provider's retry would, without a 503.
 */
import { batcherOf, GroupCommit, type BatchOptions } from "./group-commit";
import type { Database, RpcArgsOf } from "./port";

export type { BatchOptions } from "./group-commit";

/** ingest_webhook_event's named arguments, p_elapsed_ms aside (it is measured here). */
export type IngestParams = Omit<RpcArgsOf<"ingest_webhook_event">, "p_elapsed_ms">;

/** deadlock_detected */
const DEADLOCK = "40P01";

interface Delivery {
  params: IngestParams;
  /** Time the route spent before the database call. */
  elapsedMs: number;
}

export class IngestBatcher extends GroupCommit<Delivery> {
  constructor(db: Database, options: BatchOptions = {}) {
    super(db, { name: "ingest_webhook_events", argument: "p_events" }, options);
  }

  /** ingest_webhook_event's raw answer for these arguments (the caller parses it). */
  ingest(params: IngestParams, elapsedMs: number): Promise<unknown> {
    return this.enqueue({ params, elapsedMs });
  }

  /** The delivery's duration: the route's own time, plus the wait here. */
  protected element(d: Delivery, waitedMs: number) {
    return { ...d.params, p_elapsed_ms: d.elapsedMs + waitedMs };
  }

  protected runsAgainAlone(sqlstate: string): boolean {
    return sqlstate === DEADLOCK;
  }

  protected callAlone(d: Delivery, waitedMs: number): Promise<unknown> {
    return this.db.rpc("ingest_webhook_event", { ...d.params, p_elapsed_ms: d.elapsedMs + waitedMs });
  }
}

/** The ingest batcher of this database object, one per process. */
export const ingestBatcherOf = (db: Database): IngestBatcher =>
  batcherOf(db, "credits.ingestBatcher", (d) => new IngestBatcher(d));
