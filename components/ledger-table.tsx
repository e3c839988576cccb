/** The credit ledger, newest first: what changed, why, and when. */
import type { LedgerEntry } from "@/lib/db/rpc/account";
import { formatDateTime } from "@/lib/format";

const KIND_LABELS: Record<LedgerEntry["kind"], string> = {
  purchase: "Purchase",
  claim: "Bought before sign-up",
  refund: "Refund",
  dispute: "Payment disputed",
  dispute_reinstated: "Dispute resolved in your favour",
  spend: "Spent",
  adjustment: "Adjustment",
};

export function LedgerTable({ entries }: { entries: LedgerEntry[] }) {
  return (
    <div className="overflow-x-auto rounded-2xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Credit ledger, newest first</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-3 font-medium">Date</th>
            <th scope="col" className="px-4 py-3 font-medium">What</th>
            <th scope="col" className="px-4 py-3 text-right font-medium">Credits</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(entry.created_at)}</td>
              <td className="px-4 py-3 text-slate-900">
                {KIND_LABELS[entry.kind]}
                {entry.package_name && <span className="text-slate-500"> · {entry.package_name}</span>}
              </td>
              <td
                className={`whitespace-nowrap px-4 py-3 text-right font-medium tabular-nums ${
                  entry.delta > 0 ? "text-emerald-700" : "text-red-700"
                }`}
              >
                {entry.delta > 0 ? "+" : "−"}
                {Math.abs(entry.delta).toLocaleString("en-US")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
