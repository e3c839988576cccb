"use client";
/** Names a new API key, then shows it once with a copy button: the server keeps only its hash. */
import { useRouter } from "next/navigation";
import { useActionState, useEffect, type ReactNode } from "react";
import type { CreateKeyState } from "@/lib/api-keys/actions";
import { Notice } from "./notice";
import { ShownOnceSecret } from "./shown-once-secret";
import { SubmitButton } from "./submit-button";

interface Props {
  action: (state: CreateKeyState, form: FormData) => Promise<CreateKeyState>;
  /** Why no key can be created now (e.g. the e-mail is unconfirmed): the form is shown disabled with this beside it. */
  unavailable?: ReactNode;
}

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export function CreateApiKeyForm({ action, unavailable }: Props) {
  const [state, formAction] = useActionState(action, {});
  const blocked = unavailable !== undefined;
  const router = useRouter();
  // the new key joins the list below: a refresh of the page's server part, which keeps this form's state
  useEffect(() => {
    if (state.serial) router.refresh();
  }, [state.serial, router]);
  return (
    <div className="space-y-4">
      {blocked && (
        <div id="create-key-unavailable">
          <Notice tone="warning" title="Confirm your e-mail address to create a key">
            {unavailable}
          </Notice>
        </div>
      )}
      <form
        key={state.serial ?? 0}
        action={formAction}
        className="grid gap-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:grid-cols-[1fr_auto] sm:items-end"
      >
        <label className="block text-sm font-medium text-slate-700">
          Key name
          <input
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            placeholder="e.g. Production backend"
            disabled={blocked}
            aria-describedby={blocked ? "create-key-unavailable" : undefined}
            className={`${field} disabled:cursor-not-allowed disabled:bg-slate-100`}
          />
        </label>
        <SubmitButton
          pendingLabel="Creating…"
          disabled={blocked}
          aria-describedby={blocked ? "create-key-unavailable" : undefined}
        >
          Create key
        </SubmitButton>
      </form>
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.created && (
        <ShownOnceSecret
          title={`Key “${state.created.name}” created`}
          secret={state.created.key}
          noun="key"
          testId="new-api-key"
        >
          Copy it now: this is the only time it is shown. We keep only a hash of it, so it cannot be shown again.
        </ShownOnceSecret>
      )}
    </div>
  );
}
