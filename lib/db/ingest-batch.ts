/**
 * Group commit for webhook deliveries (issue 14; docs/performance.md).
 *
 * A delivery that arrives while no ingest call is running goes to the
 * database at once, alone, through ingest_webhook_event: nothing changes at low
 * load (with PGlite, at the end of the event-loop turn: see gatherTurn).
 * Deliveries that arrive while one is running wait for it and then go
 * together through ingest_webhook_events: one transaction, one round trip, one
 * commit for all of them, each delivery still in its own subtransaction with
 * the same lock, dedupe and action as alone. Exactly-once stays in the
 * database (its unique keys and locks); this only shares the transport. It is
 * not a queue: nothing is kept past the request that brought it.
 *
 * Every caller is answered after the call that carried its delivery has
 * committed. A delivery the batch rolled back alone (it raised) is rejected
 * with the error it raised, as a lone call would be. If the batch call itself
 * is refused or times out, nothing of it committed: each delivery is then sent
 * again alone, so one bad delivery never fails the others. If the database
 * cannot be reached, every delivery of the batch is rejected (503, the
 * provider retries; a batch whose commit was lost on the way back is found as
 * duplicates then). A database without ingest_webhook_events yet (the app
 * deployed before its migration) refuses every batch, and each delivery goes
 * alone: slower, not broken.
 */
import { classifyDriverError, isOutOfReach } from "./errors";
import type { Database, RpcArgsOf } from "./port";

/** ingest_webhook_event's named arguments, p_elapsed_ms aside (it is measured here). */
export type IngestParams = Omit<RpcArgsOf<"ingest_webhook_event">, "p_elapsed_ms">;

export interface BatchOptions {
  /** Calls running at once while none is slow (default 1: deliveries wait behind it and go together). */
  maxInFlight?: number;
  /**
   * A call running longer than this (ms) no longer holds the others back: one more may start
   * beside it (a lock wait, a slow commit), up to maxLanes. A batch normally takes a few ms.
   */
  stallMs?: number;
  /** Calls running at once at most, slow ones included (below the pool's size). */
  maxLanes?: number;
  /**
   * Deliveries per batch call at most. Each one that writes takes two subtransaction ids (its own and its
   * action's savepoint); 16 keeps a batch within the 64 a backend caches (PGPROC_MAX_CACHED_SUBXIDS), past
   * which every other backend's visibility checks must read pg_subtrans while the batch runs.
   */
  maxBatch?: number;
  /** Serialised arguments per batch call at most, in characters. */
  maxChars?: number;
  /**
   * Send at the end of the current event-loop turn, not at once, so that the deliveries read in the same
   * turn go together. Default: on for PGlite, which runs on this thread: while one of its calls runs no
   * delivery can arrive, so without this every call would go alone.
   */
  gatherTurn?: boolean;
}

interface Pending {
  /** ingest_webhook_event's named arguments, p_elapsed_ms excluded. */
  params: IngestParams;
  elapsedMs: number;
  queuedAt: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What one call carries: a delivery alone, or several with their serialised arguments. */
type Batch = { alone: Pending } | { items: Pending[]; events: string | unknown[] };

const DEFAULTS: Required<Omit<BatchOptions, "gatherTurn">> = {
  maxInFlight: 1,
  stallMs: 100,
  maxLanes: 8,
  maxBatch: 16,
  maxChars: 4 * 1024 * 1024,
};

export class IngestBatcher {
  private readonly queue: Pending[] = [];
  /** Start times of the calls running now. */
  private readonly running = new Set<{ startedAt: number }>();
  private wakeUp: ReturnType<typeof setTimeout> | undefined;
  private pumpQueued = false;
  private readonly options: Required<BatchOptions>;

  constructor(
    private readonly db: Database,
    options: BatchOptions = {},
  ) {
    this.options = { ...DEFAULTS, gatherTurn: db.mode === "embedded", ...options };
  }

  /** ingest_webhook_event's raw answer for these arguments (the caller parses it). */
  ingest(params: IngestParams, elapsedMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ params, elapsedMs, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.options.gatherTurn) return this.pump();
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Calls that may run now: maxInFlight, plus one for each running call that has stalled. */
  private lanes(now: number): number {
    let stalled = 0;
    for (const call of this.running) if (now - call.startedAt >= this.options.stallMs) stalled++;
    return Math.min(this.options.maxInFlight + stalled, this.options.maxLanes);
  }

  private pump(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.running.size < this.lanes(now)) {
      const call = { startedAt: now };
      this.running.add(call);
      void this.send(this.take(now)).finally(() => {
        this.running.delete(call);
        this.pump();
      });
    }
    // Deliveries still waiting: look again when the next running call would count as stalled.
    if (this.queue.length > 0 && this.wakeUp === undefined && this.running.size < this.options.maxLanes) {
      const fresh = [...this.running].map((c) => c.startedAt).filter((t) => now - t < this.options.stallMs);
      if (fresh.length === 0) return;
      this.wakeUp = setTimeout(
        () => {
          this.wakeUp = undefined;
          this.pump();
        },
        Math.min(...fresh) + this.options.stallMs - now,
      );
      this.wakeUp.unref?.();
    }
  }

  /**
   * The oldest waiting deliveries, within the count and size limits: one alone (not serialised here: the
   * adapter does it), or several, each with its arguments serialised once for ingest_webhook_events.
   */
  private take(now: number): Batch {
    if (this.queue.length === 1 || this.options.maxBatch === 1) return { alone: this.queue.shift()! };
    const items: Pending[] = [];
    const objects: Record<string, unknown>[] = [];
    const json: string[] = [];
    let chars = 0;
    while (items.length < this.queue.length && items.length < this.options.maxBatch) {
      const p = this.queue[items.length];
      const args = { ...p.params, p_elapsed_ms: IngestBatcher.elapsed(p, now) };
      const text = JSON.stringify(args);
      chars += text.length;
      if (items.length > 0 && chars > this.options.maxChars) break;
      items.push(p);
      objects.push(args);
      json.push(text);
    }
    this.queue.splice(0, items.length);
    if (items.length === 1) return { alone: items[0] };
    // SQL adapters take the array as JSON text; supabase-js serialises its arguments itself.
    const events = this.db.mode === "supabase" ? objects : `[${json.join(",")}]`;
    return { items, events };
  }

  /** Time spent before the database call: the route's own, plus the wait here. */
  private static elapsed(p: Pending, now: number): number {
    return p.elapsedMs + (now - p.queuedAt);
  }

  private async send(batch: Batch): Promise<void> {
    if ("alone" in batch) return this.sendAlone(batch.alone);
    const { items, events } = batch;
    let answers: unknown;
    try {
      answers = await this.db.rpc("ingest_webhook_events", { p_events: events });
    } catch (error) {
      if (isOutOfReach(error)) {
        // The database is out of reach: alone, each would only wait for it again. The providers retry.
        items.forEach((p) => p.reject(error));
        return;
      }
      // Refused or timed out as a whole: nothing of it committed. Each goes alone, so one bad delivery fails alone.
      await Promise.all(items.map((p) => this.sendAlone(p)));
      return;
    }
    if (!Array.isArray(answers) || answers.length !== items.length) {
      items.forEach((p) => p.reject(new Error("ingest_webhook_events: unexpected answer")));
      return;
    }
    items.forEach((p, i) => {
      const answer = answers[i] as { sqlstate?: unknown; message?: unknown } | null;
      if (answer && typeof answer.sqlstate === "string") {
        p.reject(classifyDriverError({ code: answer.sqlstate, message: String(answer.message ?? "") }));
      } else {
        p.resolve(answer);
      }
    });
  }

  private async sendAlone(p: Pending): Promise<void> {
    try {
      p.resolve(
        await this.db.rpc("ingest_webhook_event", {
          ...p.params,
          p_elapsed_ms: IngestBatcher.elapsed(p, performance.now()),
        }),
      );
    } catch (error) {
      p.reject(error);
    }
  }
}

const BATCHER = Symbol.for("credits.ingestBatcher");

/**
 * The batcher of this database object, one per process: kept on the object
 * itself, because Next bundles this module once per route and the database is
 * process-wide.
 */
export function ingestBatcherOf(db: Database): IngestBatcher {
  const holder = db as Database & { [BATCHER]?: IngestBatcher };
  holder[BATCHER] ??= new IngestBatcher(db);
  return holder[BATCHER];
}
