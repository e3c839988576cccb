// /admin/events/[id]: one event with its payload, result, attempt history and a Retry button.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { z } from "zod";
import { AttemptHistory } from "@/components/admin/attempt-history";
import { PayloadView } from "@/components/admin/payload-view";
import { RetryForm } from "@/components/admin/retry-form";
import { EventStatusBadge } from "@/components/admin/event-status-badge";
import { ReconciledBadge } from "@/components/admin/source-badge";
import { Notice } from "@/components/notice";
import { formatDuration, formatTime } from "@/lib/admin/format";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { retryEventAction } from "../actions";

export const metadata: Metadata = { title: "Webhook event" };

type Props = { params: Promise<{ id: string }> };

/** Failed events, and ones stuck in "received" (a crash between record and finish), can be re-run. */
const RETRYABLE = new Set(["failed", "received"]);

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{term}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const none = <span className="text-slate-400">—</span>;
const time = (date: Date | null) => (date ? <time dateTime={date.toISOString()}>{formatTime(date)}</time> : none);

export default async function EventPage({ params }: Props) {
  await requireAdmin();
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const event = await getWebhookEvent(getDb(), id.data);
  if (!event) notFound();
  const pruned = event.payload === null;

  return (
    <div className="space-y-6">
      <div>
        <Link href="/admin/events" className="text-sm font-medium text-indigo-700 underline-offset-2 hover:underline">
          ← All events
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="font-mono text-xl font-semibold tracking-tight">{event.event_type}</h1>
          <EventStatusBadge status={event.status} />
          {event.source === "reconcile" ? <ReconciledBadge /> : null}
        </div>
        <p className="mt-1 text-sm text-slate-600">
          {event.provider} event <span className="font-mono">{event.event_id}</span>
        </p>
      </div>

      <section aria-labelledby="result-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="result-heading" className="sr-only">
          Result
        </h2>
        {event.last_error ? (
          <div className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
            <p className="font-semibold">Error</p>
            <p className="mt-1 break-words font-mono text-xs">{event.last_error}</p>
          </div>
        ) : (
          <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm text-slate-800">
            <p className="font-semibold">Outcome</p>
            <p className="mt-1 break-words">{event.outcome ?? "No outcome recorded yet."}</p>
          </div>
        )}
        <dl className="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-4">
          <Fact term="Received">{time(event.received_at)}</Fact>
          <Fact term="Last processed">{time(event.processed_at)}</Fact>
          <Fact term="Duration">{formatDuration(event.duration_ms)}</Fact>
          <Fact term="Attempts">{event.attempts}</Fact>
          <Fact term="Next automatic retry">{event.status === "failed" ? time(event.next_attempt_at) : none}</Fact>
          <Fact term="E-mail">{event.email ?? none}</Fact>
          <Fact term="External id">
            {event.external_id ? <span className="font-mono text-xs">{event.external_id}</span> : none}
          </Fact>
          <Fact term="Row id">
            <span className="font-mono text-xs">{event.id}</span>
          </Fact>
          <Fact term="Source">
            {event.source === "reconcile"
              ? "Reconciled: fetched from the provider's events API"
              : "Delivered to the webhook route"}
          </Fact>
        </dl>
        {RETRYABLE.has(event.status) && pruned ? (
          <p className="mt-5 border-t border-slate-100 pt-4 text-sm text-slate-600">
            This event cannot be retried: its payload was pruned by retention.
          </p>
        ) : RETRYABLE.has(event.status) ? (
          <div className="mt-5 border-t border-slate-100 pt-4">
            <RetryForm action={retryEventAction} eventId={event.id} label="Retry now" pendingLabel="Retrying…" />
          </div>
        ) : null}
      </section>

      <section aria-labelledby="attempts-heading" className="space-y-2">
        <h2 id="attempts-heading" className="text-lg font-semibold">
          Attempts
        </h2>
        <AttemptHistory attempts={event.attempt_log} />
      </section>

      <section aria-labelledby="payload-heading" className="space-y-2">
        <h2 id="payload-heading" className="text-lg font-semibold">
          Payload
        </h2>
        {pruned ? (
          <Notice tone="info" title="Payload pruned">
            Retention removed this payload{event.payload_pruned_at ? <> on {time(event.payload_pruned_at)}</> : null}{" "}
            (payloads are kept for WEBHOOK_PAYLOAD_RETENTION_DAYS). The status, outcome, attempts and ids above are
            kept.
          </Notice>
        ) : (
          <PayloadView payload={event.payload} label={`Payload of ${event.event_id}`} />
        )}
      </section>
    </div>
  );
}
