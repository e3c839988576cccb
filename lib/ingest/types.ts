/**
 * The contract between the shared pipeline (lib/ingest) and a provider
 * (lib/providers/<name>). A provider verifies and parses; it then *plans*: it
 * turns a stored payload into one SQL action. Planning is pure (no I/O), so
 * the sweep and the admin's Retry re-plan the stored payload the same way the
 * first delivery did, without verifying the signature again.
 */
import { failAction, noneAction, type WebhookAction } from "@/lib/db/actions";
import type { IngestArgs } from "@/lib/db/rpc/webhook-events";
import type { ProviderName } from "@/lib/providers/names";

/** A request we refuse: answered with `status` and a short message, nothing written. */
export class WebhookRejection extends Error {
  constructor(
    readonly status: 400 | 401 | 405 | 413 | 415 | 422,
    message: string,
  ) {
    super(message);
    this.name = "WebhookRejection";
  }
}

/**
 * Something the provider's verification depends on is unreachable (e.g. a JWKS
 * endpoint): answered 503 so the provider retries later; nothing written.
 */
export class UpstreamUnavailableError extends Error {
  name = "UpstreamUnavailableError";
}

export interface VerifiedEvent {
  /** Dedupe key: unique per provider. */
  id: string;
  type: string;
  /** What is stored (jsonb) and re-planned on retry. */
  payload: unknown;
  /**
   * The plan, when verifying already parsed what planning needs (it must equal
   * plan(payload, type)): saves parsing the payload twice on the hot path.
   */
  plan?: Plan;
}

/** One SQL action (built by lib/db/actions.ts) and what the admin log can search the event by. */
export type Plan = WebhookAction & {
  /** Copied onto the event row so the admin log can search by them. */
  email?: string | null;
  externalId?: string | null;
};

export interface WebhookProvider {
  name: ProviderName;
  /** Checks the signature over the raw bytes, then parses the envelope. Throws WebhookRejection. */
  verify(rawBody: Buffer, headers: Headers): VerifiedEvent | Promise<VerifiedEvent>;
  /** Decides what the event means. Pure; never throws for a verified event (plan a failure instead). */
  plan(payload: unknown, eventType: string): Plan;
  /** Optional response body for accepted deliveries (default: {received: true, …}). */
  acceptedBody?(event: VerifiedEvent): Record<string, unknown>;
}

/** Plans shared by all providers: nothing to change (processed or ignored, with the outcome) … */
export const record = (outcome: string): Plan => noneAction("processed", outcome);
export const ignore = (outcome: string): Plan => noneAction("ignored", outcome);
/** … or stored as failed with this reason: visible to admins and retried by the sweep. */
export const fail = (reason: string): Plan => failAction(reason);

/** What is stored for a verified event and its plan (ingest_webhook_event's arguments, without timing). */
export const eventRecord = (
  provider: ProviderName,
  event: VerifiedEvent,
  plan: Plan,
): Omit<IngestArgs, "elapsedMs"> => ({
  provider,
  eventId: event.id,
  eventType: event.type,
  payload: event.payload,
  action: plan,
  email: plan.email,
  externalId: plan.externalId,
});
