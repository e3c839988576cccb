/**
 * The pipeline every provider route runs:
 * raw body (1 MiB cap → 413) → verify signature (4xx, nothing written) → plan
 * → one database call that records the event (duplicate → 200, no work), runs
 * the planned action and finishes the row → 2xx.
 * The database unreachable → 503 so the provider retries; nothing was committed.
 */
import { getDb } from "@/lib/db";
import { DatabaseUnavailableError } from "@/lib/db/errors";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { json, jsonError } from "@/lib/http/json";
import { readRawBody } from "./read-body";
import { UpstreamUnavailableError, WebhookRejection, type WebhookProvider } from "./types";

export function webhookErrorResponse(error: unknown, provider: string): Response {
  if (error instanceof WebhookRejection) return jsonError(error.status, error.message);
  if (error instanceof DatabaseUnavailableError || error instanceof UpstreamUnavailableError) {
    return jsonError(503, "temporarily unavailable, please retry", { "retry-after": "5" });
  }
  // Unexpected: log the kind of failure only (no payload, no stack in the response).
  console.error(`[webhook:${provider}] ${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? String(error)}`);
  return jsonError(500, "internal error");
}

export function webhookRoute(provider: WebhookProvider): (request: Request) => Promise<Response> {
  return async function POST(request: Request): Promise<Response> {
    const started = performance.now();
    try {
      const rawBody = await readRawBody(request);
      const event = await provider.verify(rawBody, request.headers);
      const plan = event.plan ?? provider.plan(event.payload, event.type);
      const result = await ingestWebhookEvent(getDb(), {
        provider: provider.name,
        eventId: event.id,
        eventType: event.type,
        payload: event.payload,
        action: plan.action,
        args: plan.args,
        email: plan.email,
        externalId: plan.externalId,
        elapsedMs: performance.now() - started,
      });
      return json({
        received: true,
        duplicate: result.duplicate,
        status: result.status,
        ...(provider.acceptedBody?.(event) ?? {}),
      });
    } catch (error) {
      return webhookErrorResponse(error, provider.name);
    }
  };
}
