"use client";
/** The low-balance alert: the threshold below which the user is e-mailed once (and the owner's backend told). */
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import type { ThresholdState } from "@/lib/low-balance/actions";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

const field =
  "mt-1 block w-40 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export function LowBalanceForm({
  action,
  threshold,
  on,
}: {
  action: (state: ThresholdState, form: FormData) => Promise<ThresholdState>;
  /** The threshold in force, or a suggestion when the alert is off. */
  threshold: number | null;
  on: boolean;
}) {
  const [state, formAction] = useActionState(action, {});
  const router = useRouter();
  useEffect(() => {
    if (state.serial) router.refresh();
  }, [state.serial, router]);
  return (
    <form action={formAction} className="space-y-3 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-end gap-3">
        <label className="block text-sm font-medium text-slate-700">
          Alert me when my balance drops below
          <span className="flex items-center gap-2">
            <input
              name="threshold"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              defaultValue={threshold ?? undefined}
              placeholder="e.g. 100"
              aria-describedby="low-balance-help"
              className={field}
            />
            <span className="mt-1 text-sm font-normal text-slate-600">credits</span>
          </span>
        </label>
        <SubmitButton name="intent" value="save" pendingLabel="Saving…">
          {on ? "Save" : "Turn on"}
        </SubmitButton>
        {on && (
          <SubmitButton
            name="intent"
            value="off"
            formNoValidate
            pendingLabel="Saving…"
            className="!bg-white !text-slate-800 ring-1 ring-inset ring-slate-300 hover:!bg-slate-50"
          >
            Turn off
          </SubmitButton>
        )}
      </div>
      <p id="low-balance-help" className="text-xs text-slate-500">
        One e-mail each time a spend takes your balance below this number; none again until it has come back above.
      </p>
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.message && <Notice tone="success">{state.message}</Notice>}
    </form>
  );
}
