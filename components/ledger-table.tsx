/**
 * The credit ledger, newest first: what changed, why, when, and which credit lots it added to or took from.
 * Admins also see who made an adjustment.
 */
import { LEDGER_KINDS } from "@/lib/account/ledger-activity";
import { describeLots } from "@/lib/account/ledger-lots";
import type { LedgerEntry } from "@/lib/db/rpc/credits";
import { formatDateTime } from "@/lib/format";
import { DataTable, type Column } from "@/components/data-table";

function LotsLine({ entry }: { entry: LedgerEntry }) {
  const text = describeLots(entry);
  return text ? <span className="block text-xs text-slate-500">{text}</span> : null;
}

const COLUMNS: Column[] = [{ label: "Date" }, { label: "What" }, { label: "Credits", numeric: true }];

export function LedgerTable({ entries, showAdmin = false }: { entries: LedgerEntry[]; showAdmin?: boolean }) {
  return (
    <DataTable caption="Credit ledger, newest first" columns={COLUMNS}>
      {entries.map((entry) => (
        <tr key={entry.id}>
          <td className="px-4 py-3 text-slate-600 sm:whitespace-nowrap">{formatDateTime(entry.created_at)}</td>
          <td className="px-4 py-3 text-slate-900">
            {LEDGER_KINDS[entry.kind].label}
            {entry.package_name && <span className="text-slate-500"> · {entry.package_name}</span>}
            {entry.reason && <span className="break-words text-slate-600"> · {entry.reason}</span>}
            <LotsLine entry={entry} />
            {showAdmin && entry.admin_email && (
              <span className="block text-xs text-slate-500">by {entry.admin_email}</span>
            )}
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
    </DataTable>
  );
}
