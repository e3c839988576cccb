/** One credit pack: what you get, what it costs, and how to buy it. */
import Link from "next/link";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { formatCredits, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";

export function PackCard({
  pack,
  canBuy,
  cardPayments = true,
}: {
  pack: CreditPackage;
  canBuy: boolean;
  cardPayments?: boolean;
}) {
  return (
    <article
      className="flex flex-col rounded-2xl border border-slate-200 bg-white p-5 shadow-sm"
      aria-labelledby={`pack-${pack.id}`}
    >
      <h3 id={`pack-${pack.id}`} className="text-base font-semibold text-slate-900">
        {pack.name}
      </h3>
      <p className="mt-3 text-3xl font-semibold tracking-tight text-slate-900">
        {formatMoney(pack.amount_minor, pack.currency)}
      </p>
      <p className="mt-1 text-sm font-medium text-indigo-700">{formatCredits(pack.credits)}</p>
      {pack.description && <p className="mt-3 flex-1 text-sm text-slate-600">{pack.description}</p>}
      <div className="mt-5">
        {canBuy && !cardPayments ? (
          <p className="rounded-lg border border-dashed border-slate-300 px-4 py-2 text-center text-sm text-slate-600">
            Card payments are not configured
          </p>
        ) : canBuy ? (
          <form action="/api/checkout" method="post" className="space-y-3">
            <input type="hidden" name="package_id" value={pack.id} />
            <label className="flex items-start gap-2 text-xs text-slate-600">
              <input
                type="checkbox"
                name="save_card"
                value="1"
                className="mt-0.5 h-3.5 w-3.5 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
              />
              <span>
                Save this card for automatic top-ups<span className="sr-only"> ({pack.name})</span>
              </span>
            </label>
            <SubmitButton className="w-full" pendingLabel="Starting checkout…" aria-label={`Buy ${pack.name}`}>
              Buy
            </SubmitButton>
          </form>
        ) : (
          <Link
            href={`/signup?next=${encodeURIComponent("/wallet/buy")}`}
            className="block rounded-lg border border-indigo-200 px-4 py-2 text-center text-sm font-medium text-indigo-700 hover:bg-indigo-50"
          >
            Sign up to buy
          </Link>
        )}
      </div>
    </article>
  );
}
