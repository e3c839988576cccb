/**
 * Two kinds of database failure matter to callers:
 * - DatabaseUnavailableError: we could not reach the database (or it is shutting
 *   down). Webhook routes answer 503 so the provider retries; nothing was written.
 * - DatabaseError: the database answered and refused (a function raised, a
 *   constraint failed). Carries the SQLSTATE and the function's own message.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message = "database unavailable", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DatabaseError";
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
