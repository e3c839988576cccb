/**
 * Stripe reconciliation: recover events Stripe never delivered (an outage
 * longer than its 3 days of retries, a disabled endpoint). Pages through
 * GET /v1/events (types we handle, created after the watermark, newest first,
 * `starting_after` the last id of each page), skips ids already in the log,
 * and sends each missing event through the delivery pipeline
 * (lib/ingest/fetched-event.ts). Safe to run twice or beside live deliveries:
 * the unique (provider, event_id) inside ingest_webhook_event decides who
 * records an event, exactly as for two concurrent deliveries.
 *
 * The watermark (ops_jobs 'stripe_reconcile') is the newest `created` seen by a
 * run that finished; the next run starts OVERLAP_SECONDS before it, because
 * events of the same second may become listable a little later.
 */
import type Stripe from "stripe";
import type { Database } from "@/lib/db";
import { advanceOpsJobWatermark, opsJobWatermark } from "@/lib/db/rpc/ops";
import { knownWebhookEventIds } from "@/lib/db/rpc/webhook-events";
import { ingestFetchedEvent } from "@/lib/ingest/fetched-event";
import { stripeProvider } from "@/lib/providers/stripe";
import { STRIPE_HANDLED_TYPES } from "@/lib/providers/stripe/handle";
import { stripeEventSchema } from "@/lib/providers/stripe/schema";

export const RECONCILE_JOB = "stripe_reconcile";
/** Without a watermark or --since: Stripe's own retry window (older events were either delivered or given up on long ago). */
export const DEFAULT_LOOKBACK_SECONDS = 3 * 86_400;
export const OVERLAP_SECONDS = 600;
/** Stripe's events API keeps 30 days. */
export const MAX_LOOKBACK_SECONDS = 30 * 86_400;
const PAGE_SIZE = 100;

export interface ReconcileResult {
  /** Events were listed created after this time. */
  since: string;
  pages: number;
  listed: number;
  /** Already in the log before this run looked (delivered, or reconciled earlier). */
  known: number;
  /** Recorded by this run (source = reconcile). */
  reconciled: number;
  /** Missing when the page was read, then recorded by a live delivery or another run first. */
  raced: number;
  /** Listed objects that are not Stripe events we can store (should not happen). */
  malformed: number;
  watermark: string | null;
}

export async function reconcileStripeEvents(
  db: Database,
  stripe: Stripe,
  options: { since?: Date; now?: Date; pageSize?: number } = {},
): Promise<ReconcileResult> {
  const now = options.now ?? new Date();
  const oldest = new Date(now.getTime() - MAX_LOOKBACK_SECONDS * 1000);
  const stored = options.since ? null : await opsJobWatermark(db, RECONCILE_JOB);
  let since =
    options.since ??
    (stored
      ? new Date(stored.getTime() - OVERLAP_SECONDS * 1000)
      : new Date(now.getTime() - DEFAULT_LOOKBACK_SECONDS * 1000));
  if (since < oldest) since = oldest;

  const result: ReconcileResult = {
    since: since.toISOString(),
    pages: 0,
    listed: 0,
    known: 0,
    reconciled: 0,
    raced: 0,
    malformed: 0,
    watermark: null,
  };
  let newest = 0;
  let startingAfter: string | undefined;
  for (;;) {
    const page = await stripe.events.list({
      types: STRIPE_HANDLED_TYPES,
      created: { gt: Math.floor(since.getTime() / 1000) },
      limit: options.pageSize ?? PAGE_SIZE,
      ...(startingAfter && { starting_after: startingAfter }),
    });
    result.pages++;
    result.listed += page.data.length;
    const known = await knownWebhookEventIds(
      db,
      "stripe",
      page.data.map((e) => e.id),
    );
    for (const object of page.data) {
      const parsed = stripeEventSchema.safeParse(object);
      if (!parsed.success) {
        result.malformed++;
        continue;
      }
      newest = Math.max(newest, parsed.data.created);
      if (known.has(parsed.data.id)) {
        result.known++;
        continue;
      }
      const outcome = await ingestFetchedEvent(db, stripeProvider, {
        id: parsed.data.id,
        type: parsed.data.type,
        payload: object,
      });
      if (outcome.duplicate) result.raced++;
      else result.reconciled++;
    }
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  // Only a run that read every page moves the watermark (an error above leaves it for the next run).
  const watermark =
    newest > 0
      ? await advanceOpsJobWatermark(db, RECONCILE_JOB, new Date(newest * 1000))
      : await opsJobWatermark(db, RECONCILE_JOB);
  result.watermark = watermark?.toISOString() ?? null;
  return result;
}
