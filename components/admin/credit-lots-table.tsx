/**
 * Admin: an account's credit lots, the buckets its balance is made of. Every grant adds one; every debit takes from
 * them soonest-expiring first (never-expiring last), promotional before paid, then oldest.
 */
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import type { CreditLot } from "@/lib/db/rpc/credits";
import { formatDateTime } from "@/lib/format";

const SOURCE_LABELS: Record<CreditLot["source"], string> = {
  purchase: "Purchase",
  claim: "Bought before sign-up",
  plan: "Plan period",
  adjustment: "Admin grant",
  dispute_reinstated: "Dispute resolved",
  migration: "Balance before lots",
  auto_topup: "Automatic top-up",
};

export function sourceLabel(source: CreditLot["source"]): string {
  return SOURCE_LABELS[source];
}

export function CreditLotsTable({ lots }: { lots: CreditLot[] }) {
  return (
    <DataTable
      caption="Credit lots, in the order spends take from them"
      dense
      columns={[
        { label: "Granted on" },
        { label: "Source" },
        { label: "Category" },
        { label: "Granted", numeric: true },
        { label: "Remaining", numeric: true },
        { label: "Expires" },
      ]}
    >
      {lots.map((lot) => {
        return (
          <tr key={lot.id} className={lot.expired || lot.remaining === 0 ? "text-slate-500" : undefined}>
            <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(lot.created_at)}</td>
            <td className="px-3 py-2 text-slate-900">
              {sourceLabel(lot.source)}
              <span className="block font-mono text-xs text-slate-500">{lot.id}</span>
            </td>
            <td className="px-3 py-2">
              <Badge tone={lot.category === "promotional" ? "info" : "neutral"}>
                {lot.category === "promotional" ? "Promotional" : "Paid"}
              </Badge>
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
              {lot.granted.toLocaleString("en-US")}
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-right font-medium tabular-nums">
              {lot.remaining.toLocaleString("en-US")}
            </td>
            <td className="whitespace-nowrap px-3 py-2">
              {lot.expires_at === null ? (
                <span className="text-slate-500">Never</span>
              ) : (
                <span className="inline-flex flex-wrap items-center gap-2">
                  {formatDateTime(lot.expires_at)}
                  {lot.expired && <Badge tone="neutral">Expired</Badge>}
                </span>
              )}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
