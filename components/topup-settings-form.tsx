"use client";
/** Automatic top-up's settings: on/off, the pack to buy, the threshold below which to buy it, the monthly limit. */
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import type { TopupFormState } from "@/lib/topups/actions";
import { formatCredits, formatMoney } from "@/lib/format";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export interface TopupFormValues {
  enabled: boolean;
  packageId: string;
  threshold: number;
  /** As typed: "50.00" */
  monthlyLimit: string;
}

interface Props {
  action: (state: TopupFormState, form: FormData) => Promise<TopupFormState>;
  packs: CreditPackage[];
  values: TopupFormValues;
  /** A card is saved: without one the form saves the settings but cannot turn top-up on. */
  hasCard: boolean;
}

export function TopupSettingsForm({ action, packs, values, hasCard }: Props) {
  const [state, formAction] = useActionState(action, {});
  const router = useRouter();
  useEffect(() => {
    if (state.serial) router.refresh();
  }, [state.serial, router]);
  const currency = packs.find((p) => p.id === values.packageId)?.currency ?? packs[0]?.currency ?? "usd";

  return (
    <form action={formAction} className="space-y-5 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <label className="flex items-start gap-3 text-sm text-slate-800">
        <input
          type="checkbox"
          name="enabled"
          defaultChecked={values.enabled}
          disabled={!hasCard}
          aria-describedby={hasCard ? undefined : "topup-needs-card"}
          className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500 disabled:cursor-not-allowed"
        />
        <span>
          <span className="font-medium text-slate-900">Automatic top-up is on</span>
          <span className="block text-slate-600">
            When a spend leaves your balance below the threshold, we buy the pack below with your saved card.
          </span>
          {!hasCard && (
            <span id="topup-needs-card" className="block text-amber-800">
              Save a card first (see “Saved card” above).
            </span>
          )}
        </span>
      </label>

      <div className="grid gap-4 sm:grid-cols-3">
        <label className="block text-sm font-medium text-slate-700">
          Pack to buy
          <select name="package_id" required defaultValue={values.packageId} className={field}>
            {packs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}: {formatCredits(p.credits)} for {formatMoney(p.amount_minor, p.currency)}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Buy when the balance falls below (credits)
          <input
            name="threshold"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            required
            defaultValue={values.threshold}
            className={field}
          />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Monthly limit ({currency.toUpperCase()})
          <input
            name="monthly_limit"
            inputMode="decimal"
            required
            autoComplete="off"
            defaultValue={values.monthlyLimit}
            aria-describedby="topup-limit-help"
            className={field}
          />
        </label>
      </div>
      <p id="topup-limit-help" className="text-xs text-slate-500">
        Automatic top-ups stop for the rest of the calendar month (UTC) once the next one would pass this amount. It
        must be at least the price of one pack.
      </p>

      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
        <p role="status" aria-live="polite" className="text-sm text-emerald-700">
          {state.serial && !state.error ? "Saved." : ""}
        </p>
      </div>
      {state.error && <Notice tone="error">{state.error}</Notice>}
    </form>
  );
}
