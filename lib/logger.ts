/**
 * The process-wide logger (pino): JSON lines in production and tests, one
 * readable line per entry under `next dev` (a small in-process formatter, not a
 * pino transport: transports run in worker threads whose files Next's bundler
 * cannot trace, which is why next.config lists pino in serverExternalPackages).
 *
 * JSON lines go to stdout through a 4 KiB buffer, written when it fills and at
 * least every second, and flushed when the process exits: a write(2) per line
 * cost ~0.1 ms of server CPU per webhook delivery (docs/performance.md). A
 * crash that kills the process outright (SIGKILL, out of memory) can lose the
 * last second of lines; what a delivery did is in the database's event log
 * either way.
 *
 * Callers pass named fields only (ids, statuses, durations), never a payload,
 * a header or an error object: pino's error serializer writes stacks, and a
 * provider payload carries e-mails and card details. `redact` is the second
 * line of defence for the field names a secret could hide under.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import { getEnv, type Env } from "@/lib/env";

export type { Logger } from "pino";

/** Field names never written, wherever they appear (top level or one level down). */
const REDACTED = [
  "payload",
  "body",
  "rawBody",
  "headers",
  "authorization",
  "cookie",
  "secret",
  "password",
  "token",
  "signature",
  "key",
];
const redactPaths = REDACTED.flatMap((name) => [name, `*.${name}`]);

const OMITTED_IN_PRETTY = new Set(["level", "time", "msg", "pid", "hostname"]);

/** `12:00:01.234 INFO  webhook provider=stripe event_id=evt_1 outcome=processed duration_ms=12.3` */
export function formatPretty(line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = typeof entry.time === "string" ? entry.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
    const level = String(entry.level).toUpperCase().padEnd(5);
    const fields = Object.entries(entry)
      .filter(([name]) => !OMITTED_IN_PRETTY.has(name))
      .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`);
    return `${time} ${level} ${entry.msg ?? ""}${fields.length ? ` ${fields.join(" ")}` : ""}\n`;
  } catch {
    return line;
  }
}

function prettyStdout(): DestinationStream {
  return { write: (line: string) => void process.stdout.write(formatPretty(line)) };
}

export function createLogger(
  options: { level: Env["LOG_LEVEL"]; format: Env["LOG_FORMAT"] },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: undefined, // no pid / hostname: the platform adds its own
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: "[redacted]" },
    },
    destination ?? (options.format === "pretty" ? prettyStdout() : bufferedStdout()),
  );
}

const FLUSH_EVERY_MS = 1_000;

/** stdout through sonic-boom's buffer (pino flushes it on exit); a timer writes a part-filled buffer. */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      stream.flush();
    } catch {
      // a write already in flight: the next tick writes what is left
    }
  }, FLUSH_EVERY_MS).unref();
  return stream;
}

const holder = globalThis as typeof globalThis & { __creditsLogger?: Logger };

export function getLogger(): Logger {
  if (!holder.__creditsLogger) {
    const env = getEnv();
    holder.__creditsLogger = createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT });
  }
  return holder.__creditsLogger;
}

/** Tests: log through this logger for the rest of the process (undefined: back to the environment's). */
export function setLogger(logger: Logger | undefined): void {
  holder.__creditsLogger = logger;
}

/** An error as one short field: its kind and message, never its stack or attached data. */
export function errorField(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}
