/**
 * The pipeline every provider route runs:
 * raw body (1 MiB cap → 413) → verify signature (4xx, nothing written) → plan
 * → one database call that records the event (duplicate → 200, no work), runs
 * the planned action and finishes the row → 2xx.
 * The database unreachable → 503 so the provider retries; nothing was committed.
 * Each request writes one log line (request-log.ts), after the answer is decided.
 */
import { getDb } from "@/lib/db";
import { DatabaseUnavailableError } from "@/lib/db/errors";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { json, jsonError } from "@/lib/http/json";
import { errorField, getLogger } from "@/lib/logger";
import { readRawBody } from "./read-body";
import { logWebhookRequest, requestIdOf } from "./request-log";
import {
  eventRecord,
  UpstreamUnavailableError,
  WebhookRejection,
  type VerifiedEvent,
  type WebhookProvider,
} from "./types";

/** The answer to a request that failed: its 4xx, 503 when a dependency is down, else 500 (no stack, no detail). */
function errorResponse(error: unknown): Response {
  if (error instanceof WebhookRejection) return jsonError(error.status, error.message);
  if (error instanceof DatabaseUnavailableError || error instanceof UpstreamUnavailableError) {
    return jsonError(503, "temporarily unavailable, please retry", { "retry-after": "5" });
  }
  return jsonError(500, "internal error");
}

/** errorResponse for routes outside the pipeline (cron): an unexpected error is logged by kind and message only. */
export function webhookErrorResponse(error: unknown, provider: string): Response {
  const response = errorResponse(error);
  if (response.status === 500) getLogger().error({ provider, error: errorField(error) }, "unexpected error");
  return response;
}

const failureOutcome = (status: number) => (status === 503 ? "unavailable" : status === 500 ? "error" : "rejected");

export function webhookRoute(provider: WebhookProvider): (request: Request) => Promise<Response> {
  return async function POST(request: Request): Promise<Response> {
    const started = performance.now();
    const requestId = requestIdOf(request);
    let event: VerifiedEvent | undefined;
    try {
      const rawBody = await readRawBody(request);
      event = await provider.verify(rawBody, request.headers);
      const plan = event.plan ?? provider.plan(event.payload, event.type);
      const result = await ingestWebhookEvent(getDb(), {
        ...eventRecord(provider.name, event, plan),
        elapsedMs: performance.now() - started,
      });
      logWebhookRequest({
        requestId,
        provider: provider.name,
        eventId: event.id,
        eventType: event.type,
        outcome: result.duplicate ? "duplicate" : result.status,
        httpStatus: 200,
        durationMs: performance.now() - started,
      });
      return json({
        received: true,
        duplicate: result.duplicate,
        status: result.status,
        ...(provider.acceptedBody?.(event) ?? {}),
      });
    } catch (error) {
      const response = errorResponse(error);
      logWebhookRequest({
        requestId,
        provider: provider.name,
        eventId: event?.id,
        eventType: event?.type,
        outcome: failureOutcome(response.status),
        httpStatus: response.status,
        durationMs: performance.now() - started,
        error,
      });
      return response;
    }
  };
}
