/**
 * Group commit (docs/performance.md, "Group commit"): calls of one kind that
 * arrive while one is running share the next transaction.
 *
 * A call that arrives while no call of its kind is running goes to the
 * database at once, alone, through its own function: nothing changes at low
 * load (with PGlite, at the end of the event-loop turn: see gatherTurn). Calls
 * that arrive while one is running wait for it and then go together through
 * the batch function: one transaction, one round trip, one commit for all of
 * them, each with the same locks, dedupe and effect as alone (the webhook's
 * batch function runs each in its own subtransaction; the API's runs them
 * all in one, see api-write-batch.ts). Exactly-once stays in the database (its unique keys and
 * locks); this only shares the transport. It is not a queue: nothing is kept
 * past the request that brought it.
 *
 * Every caller is answered after the call that carried it has committed. A
 * call the batch rolled back alone (a batch function that runs each call in
 * its own subtransaction answers {sqlstate, message} in its place) is
 * rejected with the error it raised, as a lone call would be, unless its kind
 * says that error is worth another try (runsAgainAlone: a deadlock between two
 * instances' batches): nothing of it committed, so it is sent again alone
 * once the batch has committed. If the batch
 * call itself is refused or times out, nothing of it committed: each call is
 * then sent again alone, so one bad call never fails the others. If the database cannot be reached,
 * every call of the batch is rejected (503; nothing is lost: a caller that
 * retries finds its first attempt by its idempotency key if that one
 * committed after all). A database without the batch function yet (the app
 * deployed before its migration) refuses every batch, and each call goes
 * alone: slower, not broken.
 */
import { classifyDriverError, isOutOfReach } from "./errors";
import type { Database, RpcName } from "./port";

export interface BatchOptions {
  /** Calls running at once while none is slow (default 1: calls wait behind it and go together). */
  maxInFlight?: number;
  /**
   * A call running longer than this (ms) no longer holds the others back: one more may start
   * beside it (a lock wait, a slow commit), up to maxLanes. A batch normally takes a few ms.
   */
  stallMs?: number;
  /** Calls running at once at most, slow ones included (below the pool's size). */
  maxLanes?: number;
  /**
   * Calls per batch at most. With a subtransaction per call, each that writes takes a subtransaction id
   * or two (its own, and a savepoint inside it); 16 keeps a batch within the 64 a backend caches
   * (PGPROC_MAX_CACHED_SUBXIDS), past which every other backend's visibility checks must read pg_subtrans
   * while the batch runs.
   */
  maxBatch?: number;
  /** Serialised arguments per batch call at most, in characters. */
  maxChars?: number;
  /**
   * Send at the end of the current event-loop turn, not at once, so that the calls made in the same
   * turn go together. Default: on for PGlite, which runs on this thread: while one of its calls runs no
   * other can arrive, so without this every call would go alone.
   */
  gatherTurn?: boolean;
}

/** One waiting call: what it carries, and how its caller is answered. */
export interface Pending<T> {
  item: T;
  queuedAt: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What one database call carries: a call alone, or several with their serialised elements. */
type Batch<T> = { alone: Pending<T> } | { items: Pending<T>[]; elements: string | unknown[] };

const DEFAULTS: Required<Omit<BatchOptions, "gatherTurn">> = {
  maxInFlight: 1,
  stallMs: 100,
  maxLanes: 8,
  maxBatch: 16,
  maxChars: 4 * 1024 * 1024,
};

export abstract class GroupCommit<T> {
  private readonly queue: Pending<T>[] = [];
  /** Start times of the calls running now. */
  private readonly running = new Set<{ startedAt: number }>();
  private wakeUp: ReturnType<typeof setTimeout> | undefined;
  private pumpQueued = false;
  private readonly options: Required<BatchOptions>;

  constructor(
    protected readonly db: Database,
    /** The batch function and its one JSON-array argument. */
    private readonly batchFunction: { name: RpcName; argument: string },
    options: BatchOptions = {},
  ) {
    this.options = { ...DEFAULTS, gatherTurn: db.mode === "embedded", ...options };
  }

  /** The call alone, through its own function; `waitedMs` is the time it spent queued here. */
  protected abstract callAlone(item: T, waitedMs: number): Promise<unknown>;

  /** The call as one element of the batch function's array. */
  protected abstract element(item: T, waitedMs: number): Record<string, unknown>;

  /**
   * Whether a call the batch rolled back alone with this SQLSTATE goes again alone rather than failing
   * (default: never). Nothing of it committed, so running it again is safe.
   */
  protected runsAgainAlone(_sqlstate: string): boolean {
    return false;
  }

  /** The raw answer of this call (the caller parses it). */
  protected enqueue(item: T): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, queuedAt: performance.now(), resolve, reject });
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
    // Calls still waiting: look again when the next running call would count as stalled.
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
   * The oldest waiting calls, within the count and size limits: one alone (not serialised here: the
   * adapter does it), or several, each serialised once as an element of the batch function's array.
   */
  private take(now: number): Batch<T> {
    if (this.queue.length === 1 || this.options.maxBatch === 1) return { alone: this.queue.shift()! };
    const items: Pending<T>[] = [];
    const objects: Record<string, unknown>[] = [];
    const json: string[] = [];
    let chars = 0;
    while (items.length < this.queue.length && items.length < this.options.maxBatch) {
      const p = this.queue[items.length];
      const element = this.element(p.item, now - p.queuedAt);
      const text = JSON.stringify(element);
      chars += text.length;
      if (items.length > 0 && chars > this.options.maxChars) break;
      items.push(p);
      objects.push(element);
      json.push(text);
    }
    this.queue.splice(0, items.length);
    if (items.length === 1) return { alone: items[0] };
    // SQL adapters take the array as JSON text; supabase-js serialises its arguments itself.
    const elements = this.db.mode === "supabase" ? objects : `[${json.join(",")}]`;
    return { items, elements };
  }

  private async send(batch: Batch<T>): Promise<void> {
    if ("alone" in batch) return this.sendAlone(batch.alone);
    const { items, elements } = batch;
    let answers: unknown;
    try {
      answers = await this.db.rpc(this.batchFunction.name, { [this.batchFunction.argument]: elements } as never);
    } catch (error) {
      if (isOutOfReach(error)) {
        // The database is out of reach: alone, each would only wait for it again. The callers retry.
        items.forEach((p) => p.reject(error));
        return;
      }
      // Refused or timed out as a whole: nothing of it committed. Each goes alone, so one bad call fails alone.
      await Promise.all(items.map((p) => this.sendAlone(p)));
      return;
    }
    if (!Array.isArray(answers) || answers.length !== items.length) {
      items.forEach((p) => p.reject(new Error(`${this.batchFunction.name}: unexpected answer`)));
      return;
    }
    const again: Pending<T>[] = [];
    items.forEach((p, i) => {
      const answer = answers[i] as { sqlstate?: unknown; message?: unknown } | null;
      if (answer && typeof answer.sqlstate === "string") {
        if (this.runsAgainAlone(answer.sqlstate)) again.push(p);
        else p.reject(classifyDriverError({ code: answer.sqlstate, message: String(answer.message ?? "") }));
      } else {
        p.resolve(answer);
      }
    });
    // Rolled back alone for a reason worth another try, now that the batch has committed: alone this time.
    await Promise.all(again.map((p) => this.sendAlone(p)));
  }

  private async sendAlone(p: Pending<T>): Promise<void> {
    try {
      p.resolve(await this.callAlone(p.item, performance.now() - p.queuedAt));
    } catch (error) {
      p.reject(error);
    }
  }
}

/**
 * The batcher of this kind for this database object, one per process: kept on the object itself under
 * `brand` (a Symbol.for name), because Next bundles the modules once per route and the database is
 * process-wide.
 */
export function batcherOf<B>(db: Database, brand: string, create: (db: Database) => B): B {
  const key = Symbol.for(brand);
  const holder = db as Database & Record<symbol, B | undefined>;
  holder[key] ??= create(db);
  return holder[key];
}
