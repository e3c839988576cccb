/**
 * Two kinds of database failure matter to callers:
 * - DatabaseUnavailableError: we could not reach the database (or it is shutting
 *   down). Webhook routes answer 503 so the provider retries; nothing was written.
 * - DatabaseError: the database answered and refused (a function raised, a
 *   constraint failed). Carries the SQLSTATE and the function's own message.
 */
/**
 * `instanceof` works by brand, not by class identity: Next bundles this module
 * once per server entry (instrumentation, each route), and the database object
 * is process-wide (lib/db/index.ts), so an error may be made by another copy of
 * these classes than the one a route checks against. Without the brand, a
 * database opened at start-up (instrumentation) threw errors that routes took
 * for unexpected ones: 500 instead of 503 while the database was down.
 */
const UNAVAILABLE = Symbol.for("credits.DatabaseUnavailableError");
const REFUSED = Symbol.for("credits.DatabaseError");
const branded = (value: unknown, brand: symbol) =>
  typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;

export class DatabaseUnavailableError extends Error {
  readonly [UNAVAILABLE] = true;
  constructor(message = "database unavailable", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, UNAVAILABLE);
  }
}

export class DatabaseError extends Error {
  readonly [REFUSED] = true;
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DatabaseError";
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, REFUSED);
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs that mean "try again later": connection exceptions, shutdown,
 * resources, and the transient ones (serialization failure, deadlock, statement
 * timeout, lock not available). Webhooks answer these with 503 so the provider
 * retries; nothing was committed.
 */
export const TRANSIENT_SQLSTATE = /^(08|53|57P0[1-4]|40001|40P01|57014|55P03)/;

/** The transient SQLSTATEs of one statement (serialization, deadlock, timeout, lock not available): the database is up. */
const STATEMENT_SQLSTATE = /^(40001|40P01|57014|55P03)$/;

/**
 * An unavailable error that means the database could not be reached or the connection broke, as opposed
 * to a statement that failed for now inside a database that answered (both are "unavailable" to a route).
 */
export function isOutOfReach(error: unknown): boolean {
  if (!(error instanceof DatabaseUnavailableError)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return !(typeof code === "string" && STATEMENT_SQLSTATE.test(code));
}

function isUnavailableSqlState(code: string): boolean {
  return TRANSIENT_SQLSTATE.test(code);
}

/** Maps a driver error (pg, PGlite) to one of the two classes above. */
export function classifyDriverError(error: unknown): Error {
  if (error instanceof DatabaseUnavailableError || error instanceof DatabaseError) return error;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (code && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) {
    return new DatabaseUnavailableError(`database unavailable (${code})`, { cause: error });
  }
  if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Cannot use a pool after calling end/i.test(
      message,
    )
  ) {
    return new DatabaseUnavailableError("database unavailable", { cause: error });
  }
  return new DatabaseError(message, code, { cause: error });
}
