/** The buyer's purchases: what, how much, how paid, and where each stands. */
import type { PurchaseRow } from "@/lib/db/rpc/account";
import { formatDateTime, formatMoney } from "@/lib/format";
import { StatusBadge } from "./status-badge";

const PROVIDERS: Record<string, string> = {
  stripe: "Card (Stripe)",
  fireblocks: "Crypto deposit",
  invoices: "Crypto invoice",
  paystack: "Paystack",
};

export function PurchasesTable({ purchases }: { purchases: PurchaseRow[] }) {
  return (
    <div className="overflow-x-auto rounded-2xl border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Purchases, newest first</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-4 py-3 font-medium">Date</th>
            <th scope="col" className="px-4 py-3 font-medium">Pack</th>
            <th scope="col" className="px-4 py-3 text-right font-medium">Credits</th>
            <th scope="col" className="px-4 py-3 text-right font-medium">Amount</th>
            <th scope="col" className="px-4 py-3 font-medium">Paid with</th>
            <th scope="col" className="px-4 py-3 font-medium">Status</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {purchases.map((purchase) => (
            <tr key={purchase.id}>
              <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(purchase.created_at)}</td>
              <td className="px-4 py-3 text-slate-900">{purchase.package_name ?? "Credits"}</td>
              <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums">{purchase.credits.toLocaleString("en-US")}</td>
              <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums">
                {formatMoney(purchase.amount_minor, purchase.currency)}
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-slate-600">{PROVIDERS[purchase.provider] ?? purchase.provider}</td>
              <td className="px-4 py-3">
                <StatusBadge status={purchase.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
