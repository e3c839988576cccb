/**
 * The overview's one-click row of packs: a compact button per pack (the same
 * checkout as the cards on /wallet/buy), or a pointer to the Buy page when card
 * payments are not configured or nothing is on sale.
 */
import Link from "next/link";
import { cardPaymentsConfigured } from "@/lib/checkout/local-checkout";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { formatCredits, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";

const linkClass = "rounded font-medium text-indigo-700 underline-offset-2 hover:underline";

export function QuickBuy({ packs }: { packs: CreditPackage[] }) {
  if (packs.length === 0 || !cardPaymentsConfigured()) {
    return (
      <p className="text-sm text-slate-600">
        Plans, Paystack and crypto payments are on the{" "}
        <Link href="/wallet/buy" className={linkClass}>
          Buy page
        </Link>
        .
      </p>
    );
  }
  return (
    <>
      <ul className="flex flex-wrap gap-3">
        {packs.map((pack) => (
          <li key={pack.id}>
            <form action="/api/checkout" method="post">
              <input type="hidden" name="package_id" value={pack.id} />
              <SubmitButton
                className="!bg-white !text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:!bg-indigo-50"
                pendingLabel="Starting checkout…"
              >
                Buy {pack.name}{" "}
                <span className="font-normal">
                  · {formatCredits(pack.credits)} · {formatMoney(pack.amount_minor, pack.currency)}
                </span>
              </SubmitButton>
            </form>
          </li>
        ))}
      </ul>
      <p className="text-sm text-slate-600">
        Monthly plans, Paystack and crypto payments are on the{" "}
        <Link href="/wallet/buy" className={linkClass}>
          Buy page
        </Link>
        .
      </p>
    </>
  );
}
