/** Automatic top-ups, newest first: when, what was bought, and how it went (with the reason of a failure). */
import type { TopupAttempt, TopupStatus } from "@/lib/db/rpc/topups";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";
import { Badge, type BadgeTone } from "./badge";
import { DataTable } from "./data-table";

const STATUS: Record<TopupStatus, { label: string; tone: BadgeTone }> = {
  pending: { label: "Waiting", tone: "waiting" },
  charging: { label: "Charging", tone: "waiting" },
  processing: { label: "Confirming", tone: "info" },
  succeeded: { label: "Bought", tone: "good" },
  failed: { label: "Failed", tone: "bad" },
};

export function TopupStatusBadge({ status }: { status: TopupStatus }) {
  const { label, tone } = STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

export function TopupAttemptsTable({ attempts, admin = false }: { attempts: TopupAttempt[]; admin?: boolean }) {
  return (
    <DataTable
      caption="Automatic top-ups, newest first"
      dense={admin}
      columns={[
        { label: "When" },
        { label: "Credits" },
        { label: "Price", numeric: true },
        { label: "Balance then", numeric: true },
        { label: "Status" },
        ...(admin ? [{ label: "Payment" }] : []),
      ]}
    >
      {attempts.map((a) => (
        <tr key={a.id}>
          <td className="whitespace-nowrap px-4 py-3 text-slate-700">{formatDateTime(a.created_at)}</td>
          <td className="px-4 py-3 text-slate-900">{formatCredits(a.credits)}</td>
          <td className="px-4 py-3 text-right tabular-nums text-slate-900">
            {formatMoney(a.amount_minor, a.currency)}
          </td>
          <td className="px-4 py-3 text-right tabular-nums text-slate-700">
            {a.balance_before.toLocaleString("en-US")}
          </td>
          <td className="px-4 py-3">
            <TopupStatusBadge status={a.status} />
            {a.failure_reason && <p className="mt-1 max-w-xs text-xs text-red-800">{a.failure_reason}</p>}
          </td>
          {admin && (
            <td className="px-4 py-3 font-mono text-xs text-slate-600">
              {a.payment_intent_id ?? "—"}
              <span className="block text-slate-500">
                {a.tries} {a.tries === 1 ? "try" : "tries"}
              </span>
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
}
