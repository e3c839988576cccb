import type { EventStatus } from "@/lib/db/rpc/webhook-events";

const LOOK: Record<EventStatus, string> = {
  processed: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  ignored: "bg-slate-100 text-slate-700 ring-slate-500/20",
  failed: "bg-red-50 text-red-800 ring-red-600/20",
  received: "bg-amber-50 text-amber-800 ring-amber-600/20",
  rejected: "bg-orange-50 text-orange-800 ring-orange-600/20",
};

export function EventStatusBadge({ status }: { status: EventStatus }) {
  return (
    <span
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${LOOK[status]}`}
    >
      {status}
    </span>
  );
}
