/**
 * "Pay with crypto": opens a crypto invoice for the signed-in user and goes to
 * the gateway's page (the local test gateway when none is configured). Given
 * one pack it is a single button; given several, a labelled choice of pack.
 */
import { payWithCryptoAction } from "@/lib/checkout/crypto-actions";
import type { CreditPackage } from "@/lib/db/rpc/account-reads";
import { getEnv } from "@/lib/env";
import { formatCredits, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";

const button = "!bg-white !text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:!bg-indigo-50";

export function PayWithCrypto({ packs }: { packs: CreditPackage[] }) {
  const env = getEnv();
  if (packs.length === 0 || (!env.localInvoiceGateway && !env.INVOICE_GATEWAY_URL)) return null;
  if (packs.length === 1) {
    const [pack] = packs;
    return (
      <form action={payWithCryptoAction}>
        <input type="hidden" name="package_id" value={pack.id} />
        <SubmitButton
          pendingLabel="Opening invoice…"
          className={`w-full ${button}`}
          aria-label={`Pay for ${pack.name} with crypto`}
        >
          Pay with crypto
        </SubmitButton>
      </form>
    );
  }
  return (
    <form
      action={payWithCryptoAction}
      className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <label className="block text-sm font-medium text-slate-700">
        Pay with crypto
        <select
          name="package_id"
          required
          defaultValue={packs[0].id}
          className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
        >
          {packs.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}: {formatCredits(p.credits)} for {formatMoney(p.amount_minor, p.currency)}
            </option>
          ))}
        </select>
      </label>
      <SubmitButton pendingLabel="Opening invoice…" className={button}>
        Pay with crypto
      </SubmitButton>
      {env.localInvoiceGateway && (
        <p className="w-full text-xs text-slate-500">Test gateway: no real payment happens.</p>
      )}
    </form>
  );
}
