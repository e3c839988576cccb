/**
 * The balance, big; a negative balance (a refund or dispute of spent credits) reads as owed. `children` go
 * under it inside the same card (the wallet's available / held / expiring breakdown).
 */
import type { ReactNode } from "react";
import { formatCredits } from "@/lib/format";

export function BalanceCard({ balance, children }: { balance: number; children?: ReactNode }) {
  const owed = balance < 0;
  return (
    <section aria-labelledby="balance-heading" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="balance-heading" className="text-sm font-medium text-slate-500">
        {owed ? "You owe" : "Balance"}
      </h2>
      <p
        data-testid="balance"
        data-balance={balance}
        className={`mt-1 text-4xl font-semibold tracking-tight tabular-nums ${owed ? "text-red-700" : "text-slate-900"}`}
      >
        {formatCredits(Math.abs(balance))}
      </p>
      {owed && (
        <p className="mt-2 text-sm text-slate-600">
          A payment was refunded or disputed after its credits were spent. The next pack you buy settles this first.
        </p>
      )}
      {children}
    </section>
  );
}
