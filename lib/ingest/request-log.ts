/**
 * One log line per webhook request: request id, provider, event id and type,
 * outcome, HTTP status, duration. Built from named fields only, so a payload,
 * a header or a secret cannot reach the log (tests/integration/structured-logs.test.ts).
 */
import { randomUUID } from "node:crypto";
import { errorField, getLogger } from "@/lib/logger";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's X-Request-Id when it is a plain token (a proxy's), else a new one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export interface WebhookLogFields {
  requestId: string;
  provider: string;
  eventId?: string;
  eventType?: string;
  /** processed / ignored / failed / duplicate / rejected / unavailable / error */
  outcome: string;
  httpStatus: number;
  durationMs: number;
  /** Short reason for a rejection or an unexpected error (no stack). */
  error?: unknown;
}

export function logWebhookRequest(f: WebhookLogFields): void {
  const logger = getLogger();
  const level = f.httpStatus >= 500 ? "error" : f.httpStatus >= 400 ? "warn" : "info";
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      request_id: f.requestId,
      provider: f.provider,
      event_id: f.eventId,
      event_type: f.eventType,
      outcome: f.outcome,
      http_status: f.httpStatus,
      duration_ms: Math.round(f.durationMs * 10) / 10,
      ...(f.error !== undefined && { error: errorField(f.error) }),
    },
    "webhook",
  );
}
