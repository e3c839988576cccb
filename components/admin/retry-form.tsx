"use client";
// A one-button form for a retry server action: shows progress while it runs and the outcome after.
import { useActionState } from "react";
import type { RetryFormState } from "@/lib/admin/retry";

interface RetryFormProps {
  action: (previous: RetryFormState, form: FormData) => Promise<RetryFormState>;
  label: string;
  pendingLabel: string;
  /** Sent as the form's hidden `id` field. */
  eventId?: string;
  variant?: "primary" | "secondary";
}

export function RetryForm({ action, label, pendingLabel, eventId, variant = "primary" }: RetryFormProps) {
  const [state, formAction, pending] = useActionState(action, null);
  const look =
    variant === "primary"
      ? "bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-indigo-300"
      : "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50 disabled:text-slate-400";
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-3">
      {eventId ? <input type="hidden" name="id" value={eventId} /> : null}
      <button
        type="submit"
        disabled={pending}
        className={`rounded-md px-3 py-1.5 text-sm font-semibold shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 ${look}`}
      >
        {pending ? pendingLabel : label}
      </button>
      <p
        role="status"
        aria-live="polite"
        className={`text-sm ${state?.ok === false ? "text-red-700" : "text-slate-600"}`}
      >
        {state?.message}
      </p>
    </form>
  );
}
