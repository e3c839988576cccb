/** The buyer's purchases: what, how much, how paid, and where each stands. */
import type { PurchaseRow } from "@/lib/db/rpc/credits";
import { formatDateTime, formatMoney } from "@/lib/format";
import { paymentMethodLabel } from "@/lib/providers/names";
import { DataTable, type Column } from "@/components/data-table";
import { StatusBadge } from "./status-badge";

const COLUMNS: Column[] = [
  { label: "Date" },
  { label: "Pack" },
  { label: "Credits", numeric: true },
  { label: "Amount", numeric: true },
  { label: "Paid with" },
  { label: "Status" },
];

export function PurchasesTable({ purchases }: { purchases: PurchaseRow[] }) {
  return (
    <DataTable caption="Purchases, newest first" columns={COLUMNS}>
      {purchases.map((purchase) => (
        <tr key={purchase.id}>
          <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(purchase.created_at)}</td>
          <td className="px-4 py-3 text-slate-900">{purchase.package_name ?? "Credits"}</td>
          <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums">
            {purchase.credits.toLocaleString("en-US")}
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums">
            {formatMoney(purchase.amount_minor, purchase.currency)}
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-slate-600">{paymentMethodLabel(purchase.provider)}</td>
          <td className="px-4 py-3">
            <StatusBadge status={purchase.status} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
