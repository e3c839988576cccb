/**
 * One more way to pay for a pack (crypto invoice, Paystack): given one pack a
 * single button, given several a labelled choice of pack and a button. The
 * action is a server action or a route that answers the form post.
 */
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { formatCredits, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";

const button = "!bg-white !text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:!bg-indigo-50";

interface Props {
  packs: CreditPackage[];
  action: string | ((form: FormData) => Promise<void>);
  /** "Pay with crypto": the button, and the label of the choice of pack */
  label: string;
  pendingLabel: string;
  note?: string;
}

export function PackChoiceForm({ packs, action, label, pendingLabel, note }: Props) {
  if (packs.length === 0) return null;
  const method = typeof action === "string" ? "post" : undefined;
  if (packs.length === 1) {
    const [pack] = packs;
    return (
      <form action={action} method={method}>
        <input type="hidden" name="package_id" value={pack.id} />
        <SubmitButton pendingLabel={pendingLabel} className={`w-full ${button}`} aria-label={`${label} (${pack.name})`}>
          {label}
        </SubmitButton>
        {note && <p className="mt-2 text-xs text-slate-500">{note}</p>}
      </form>
    );
  }
  return (
    <form
      action={action}
      method={method}
      className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <label className="block text-sm font-medium text-slate-700">
        {label}
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
      <SubmitButton pendingLabel={pendingLabel} className={button}>
        {label}
      </SubmitButton>
      {note && <p className="w-full text-xs text-slate-500">{note}</p>}
    </form>
  );
}
