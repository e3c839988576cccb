/**
 * An event fetched from a provider's API instead of delivered to our route
 * (reconciliation). Authenticity comes from the API call (our secret key over
 * TLS), so there is no signature to check; from there it is the delivery
 * pipeline: the provider plans it, and reconcile_webhook_event runs the same
 * ingest_webhook_event (same dedupe, same action) and marks the row reconciled.
 */
import type { Database } from "@/lib/db";
import { reconcileWebhookEvent } from "@/lib/db/rpc/webhook-events";
import type { AttemptResult } from "@/lib/db/rpc/webhook-events";
import { eventRecord, type VerifiedEvent, type WebhookProvider } from "./types";

export async function ingestFetchedEvent(
  db: Database,
  provider: WebhookProvider,
  event: VerifiedEvent,
): Promise<AttemptResult> {
  const plan = provider.plan(event.payload, event.type);
  return reconcileWebhookEvent(db, eventRecord(provider.name, event, plan));
}
