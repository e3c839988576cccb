import { formatDuration, formatTime } from "@/lib/admin/format";
import { EVENT_STATUSES, type EventDetail, type EventStatus } from "@/lib/db/rpc/webhook-events";
import { EventStatusBadge } from "./event-status-badge";

const th = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
const td = "px-3 py-2 align-top";
const isStatus = (s: string): s is EventStatus => (EVENT_STATUSES as readonly string[]).includes(s);

export function AttemptHistory({ attempts }: { attempts: EventDetail["attempt_log"] }) {
  if (attempts.length === 0) return <p className="text-sm text-slate-600">No processing attempt yet.</p>;
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Processing attempts, oldest first</caption>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={th}>#</th>
            <th scope="col" className={th}>When</th>
            <th scope="col" className={th}>Trigger</th>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={`${th} text-right`}>Duration</th>
            <th scope="col" className={th}>Outcome or error</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {attempts.map((a) => (
            <tr key={a.id}>
              <td className={`${td} tabular-nums`}>{a.attempt}</td>
              <td className={`${td} whitespace-nowrap`}><time dateTime={a.created_at.toISOString()}>{formatTime(a.created_at)}</time></td>
              <td className={td}>{a.trigger}</td>
              <td className={td}>{isStatus(a.status) ? <EventStatusBadge status={a.status} /> : a.status}</td>
              <td className={`${td} whitespace-nowrap text-right tabular-nums`}>{formatDuration(a.duration_ms)}</td>
              <td className={`${td} break-words ${a.error ? "text-red-700" : "text-slate-700"}`}>{a.error ?? a.outcome ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
