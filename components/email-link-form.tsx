"use client";
/** Asks for a mailed link: "forgot password" (with an e-mail field) or "send a new confirmation link" (button only). */
import { useActionState } from "react";
import type { AuthFormState } from "@/lib/auth/actions";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";
import { EmailField } from "./form-fields";

interface Props {
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>;
  /** show an e-mail field (forgot password); without it the action uses the signed-in account's address */
  withEmail?: boolean;
  label: string;
  pendingLabel: string;
  /** a compact inline form (the banner) */
  compact?: boolean;
}

export function EmailLinkForm({ action, withEmail = false, label, pendingLabel, compact = false }: Props) {
  const [state, formAction] = useActionState(action, {});
  if (compact) {
    return (
      <form action={formAction} className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel={pendingLabel} className="!bg-amber-700 hover:!bg-amber-800">
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
      {withEmail && <EmailField defaultValue={state.email} />}
      <SubmitButton className="w-full" pendingLabel={pendingLabel}>
        {label}
      </SubmitButton>
    </form>
  );
}
