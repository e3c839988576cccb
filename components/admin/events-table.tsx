// The event log's rows. Each row links to the event's detail page (payload, attempts, Retry).
import Link from "next/link";
import { formatClock, formatDay, formatDuration, formatTime, truncate } from "@/lib/admin/format";
import type { EventSummary } from "@/lib/db/rpc/webhook-events";
import { DataTable, type Column } from "@/components/data-table";
import { EventStatusBadge } from "./event-status-badge";
import { ReconciledBadge } from "./source-badge";

const td = "px-3 py-2 align-top";

function Result({ event }: { event: EventSummary }) {
  if (event.last_error)
    return (
      <span className="text-red-700" title={event.last_error}>
        {truncate(event.last_error, 80)}
      </span>
    );
  if (event.outcome)
    return (
      <span className="text-slate-700" title={event.outcome}>
        {truncate(event.outcome, 80)}
      </span>
    );
  return <span className="text-slate-400">—</span>;
}

const COLUMNS: Column[] = [
  { label: "Received (UTC)" },
  { label: "Provider · type" },
  { label: "Status" },
  { label: "Tries", numeric: true },
  { label: "E-mail / external id" },
  { label: "Outcome or error" },
  { label: "Duration", numeric: true },
];

export function EventsTable({ events }: { events: EventSummary[] }) {
  return (
    <DataTable caption="Webhook events, newest first" dense columns={COLUMNS}>
      {events.map((event) => (
        <tr key={event.id} className="hover:bg-slate-50">
          <td className={`${td} whitespace-nowrap`}>
            <Link
              href={`/admin/events/${event.id}`}
              className="font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
              aria-label={`${event.event_type} ${event.event_id}, received ${formatTime(event.received_at)}`}
            >
              <time dateTime={event.received_at.toISOString()}>
                {formatDay(event.received_at)}
                <br />
                <span className="tabular-nums">{formatClock(event.received_at)}</span>
              </time>
            </Link>
          </td>
          <td className={`${td} max-w-60`}>
            <div className="truncate font-mono text-xs text-slate-900" title={event.event_type}>
              {event.event_type}
            </div>
            <div className="mt-0.5 truncate text-xs text-slate-500" title={event.event_id}>
              {event.provider} · <span className="font-mono">{event.event_id}</span>
            </div>
          </td>
          <td className={td}>
            <div className="flex flex-col items-start gap-1">
              <EventStatusBadge status={event.status} />
              {event.source === "reconcile" ? <ReconciledBadge /> : null}
            </div>
          </td>
          <td className={`${td} text-right tabular-nums`}>{event.attempts}</td>
          <td className={`${td} max-w-48`}>
            <div className="truncate" title={event.email ?? undefined}>
              {event.email ?? <span className="text-slate-400">—</span>}
            </div>
            {event.external_id ? (
              <div className="truncate font-mono text-xs text-slate-500" title={event.external_id}>
                {event.external_id}
              </div>
            ) : null}
          </td>
          <td className={`${td} min-w-48 text-xs`}>
            <Result event={event} />
          </td>
          <td className={`${td} whitespace-nowrap text-right tabular-nums`}>{formatDuration(event.duration_ms)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
