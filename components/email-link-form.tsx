"use client";
/** Asks for a mailed link: "forgot password" (with an e-mail field) or "send a new confirmation link" (button only). */
import { useActionState } from "react";
import type { AuthFormState } from "@/lib/auth/actions";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

interface Props {
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>;
  /** show an e-mail field (forgot password); without it the action uses the signed-in account's address */
  withEmail?: boolean;
  label: string;
  pendingLabel: string;
  /** a compact inline form (the banner) */
  compact?: boolean;
}

const inputClass =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500";

export function EmailLinkForm({ action, withEmail = false, label, pendingLabel, compact = false }: Props) {
  const [state, formAction] = useActionState(action, {});
  if (compact) {
    return (
      <form action={formAction} className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel={pendingLabel} className="!bg-amber-600 hover:!bg-amber-500">
          {label}
        </SubmitButton>
        <span aria-live="polite" className={`text-sm ${state.error ? "text-red-800" : "text-amber-900"}`}>
          {state.error ?? state.message}
        </span>
      </form>
    );
  }
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.message && <Notice tone="success">{state.message}</Notice>}
      {withEmail && (
        <div>
          <label htmlFor="email" className="block text-sm font-medium text-slate-800">
            E-mail
          </label>
          <input
            id="email"
            name="email"
            type="email"
            required
            autoComplete="email"
            defaultValue={state.email}
            className={inputClass}
          />
        </div>
      )}
      <SubmitButton className="w-full" pendingLabel={pendingLabel}>
        {label}
      </SubmitButton>
    </form>
  );
}
