/**
 * The admin's Retry and "Retry all failed", behind the server actions in
 * app/admin/events/actions.ts. The session is checked here again, on every
 * call: an action is a public POST endpoint, whatever the page around it does.
 */
import { z } from "zod";
import type { Session } from "@/lib/auth";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import type { AttemptResult } from "@/lib/db/rpc/webhook-events";
import { PayloadPrunedError, retryAllFailed, retryEvent } from "@/lib/ingest/retry";

/** What the Retry forms show after a submit. */
export type RetryFormState = { ok: boolean; message: string } | null;

export const NOT_ALLOWED = "Only admins can retry events.";
const eventId = z.uuid();

/** Most failed events a single "Retry all failed" click re-runs (the rest stay for the sweep or a second click). */
export const BULK_RETRY_LIMIT = 100;

export function describeAttempt(result: AttemptResult): RetryFormState {
  if (result.skipped) return { ok: true, message: `Nothing to retry: the event is already ${result.status}.` };
  const attempt = result.attempts ? `Attempt ${result.attempts}` : "Retry";
  if (result.status === "failed")
    return { ok: false, message: `${attempt} failed again: ${result.error ?? "unknown error"}` };
  return { ok: true, message: `${attempt} ${result.status}${result.outcome ? `: ${result.outcome}` : "."}` };
}

function failure(error: unknown): RetryFormState {
  if (error instanceof DatabaseUnavailableError)
    return { ok: false, message: "The database is not reachable; try again shortly." };
  if (error instanceof Error && error.message === "event not found")
    return { ok: false, message: "That event does not exist." };
  if (error instanceof PayloadPrunedError) {
    return {
      ok: false,
      message: "This event's payload was pruned by retention, so it cannot be retried. Its outcome and ids are kept.",
    };
  }
  throw error;
}

export async function retryEventAsAdmin(session: Session | null, id: unknown): Promise<RetryFormState> {
  if (!session?.isAdmin) return { ok: false, message: NOT_ALLOWED };
  const parsed = eventId.safeParse(id);
  if (!parsed.success) return { ok: false, message: "That is not an event id." };
  try {
    return describeAttempt(await retryEvent(getDb(), parsed.data, "admin"));
  } catch (error) {
    return failure(error);
  }
}

export async function retryAllFailedAsAdmin(session: Session | null): Promise<RetryFormState> {
  if (!session?.isAdmin) return { ok: false, message: NOT_ALLOWED };
  try {
    const { attempted, processed, failed } = await retryAllFailed(getDb(), { limit: BULK_RETRY_LIMIT });
    if (attempted === 0) return { ok: true, message: "There are no failed events to retry." };
    const more = attempted === BULK_RETRY_LIMIT ? ` (the first ${BULK_RETRY_LIMIT}; run again for more)` : "";
    return {
      ok: failed === 0,
      message: `Retried ${attempted} failed event${attempted === 1 ? "" : "s"}${more}: ${processed} succeeded, ${failed} failed again.`,
    };
  } catch (error) {
    return failure(error);
  }
}
