/** A purchase's status in words a buyer understands. */
import type { PurchaseRow } from "@/lib/db/rpc/account-reads";

const LABELS: Record<PurchaseRow["status"], { label: string; className: string }> = {
  completed: { label: "Completed", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  pending_user: { label: "Awaiting account", className: "bg-amber-50 text-amber-800 ring-amber-200" },
  partially_refunded: { label: "Partially refunded", className: "bg-sky-50 text-sky-800 ring-sky-200" },
  refunded: { label: "Refunded", className: "bg-slate-100 text-slate-700 ring-slate-200" },
  disputed: { label: "Disputed", className: "bg-red-50 text-red-800 ring-red-200" },
  reversed: { label: "Reversed", className: "bg-red-50 text-red-800 ring-red-200" },
};

export function StatusBadge({ status }: { status: PurchaseRow["status"] }) {
  const { label, className } = LABELS[status];
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}>
      {label}
    </span>
  );
}
