/**
 * The credit ledger, newest first: what changed, why, when, and which credit lots it added to or took from.
 * Admins also see who made an adjustment.
 */
import { LEDGER_KINDS } from "@/lib/account/ledger-activity";
import type { LedgerEntry, LotMovement } from "@/lib/db/rpc/credits";
import { formatDate, formatDateTime } from "@/lib/format";
import { DataTable, type Column } from "@/components/data-table";

function lotName(lot: LotMovement, when = "expiring"): string {
  const kind = lot.category === "promotional" ? "promotional credits" : "paid credits";
  return lot.expires_at ? `${kind} (${when} ${formatDate(lot.expires_at)})` : kind;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Which lots a row touched, in words: "From promotional credits (expiring Dec 20, 2026)" for a debit from one lot,
 * with amounts when it took from several; a grant names its lot only when it is promotional or expires. `lot_id` null is what
 * the account owed (a debt) rather than a lot.
 */
function describeLots(entry: LedgerEntry): string | null {
  const lots = entry.lots;
  if (lots.length === 0) return null;
  if (entry.delta > 0) {
    const parts = lots.map((lot) =>
      lot.lot_id === null
        ? `${Math.abs(lot.amount).toLocaleString("en-US")} settled what was owed`
        : lot.category === "promotional" || lot.expires_at
          ? capitalised(lotName(lot))
          : null,
    );
    const said = parts.filter((part): part is string => part !== null);
    return said.length > 0 ? said.join(" · ") : null;
  }
  if (entry.kind === "expire") return lots[0].lot_id === null ? null : capitalised(lotName(lots[0], "expired"));
  const amount = (lot: LotMovement) => (lots.length === 1 ? "" : `${Math.abs(lot.amount).toLocaleString("en-US")} `);
  const taken = lots.filter((lot) => lot.lot_id !== null).map((lot) => `${amount(lot)}${lotName(lot)}`);
  const owed = lots.filter((lot) => lot.lot_id === null).map((lot) => `${amount(lot)}added to what is owed`);
  return [...(taken.length > 0 ? [`From ${taken.join(" + ")}`] : []), ...owed].join(" · ") || null;
}

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
