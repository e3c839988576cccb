import { formatDuration, formatTime } from "@/lib/admin/format";
import { EVENT_STATUSES, type EventDetail, type EventStatus } from "@/lib/db/rpc/webhook-events";
import { DataTable, type Column } from "@/components/data-table";
import { EventStatusBadge } from "./event-status-badge";

const td = "px-3 py-2 align-top";
const isStatus = (s: string): s is EventStatus => (EVENT_STATUSES as readonly string[]).includes(s);

const COLUMNS: Column[] = [
  { label: "#" },
  { label: "When" },
  { label: "Trigger" },
  { label: "Status" },
  { label: "Duration", numeric: true },
  { label: "Outcome or error" },
];

export function AttemptHistory({ attempts }: { attempts: EventDetail["attempt_log"] }) {
  if (attempts.length === 0) return <p className="text-sm text-slate-600">No processing attempt yet.</p>;
  return (
    <DataTable caption="Processing attempts, oldest first" dense columns={COLUMNS}>
      {attempts.map((a) => (
        <tr key={a.id}>
          <td className={`${td} tabular-nums`}>{a.attempt}</td>
          <td className={`${td} whitespace-nowrap`}>
            <time dateTime={a.created_at.toISOString()}>{formatTime(a.created_at)}</time>
          </td>
          <td className={td}>{a.trigger}</td>
          <td className={td}>{isStatus(a.status) ? <EventStatusBadge status={a.status} /> : a.status}</td>
          <td className={`${td} whitespace-nowrap text-right tabular-nums`}>{formatDuration(a.duration_ms)}</td>
          <td className={`${td} break-words ${a.error ? "text-red-700" : "text-slate-700"}`}>
            {a.error ?? a.outcome ?? "—"}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
