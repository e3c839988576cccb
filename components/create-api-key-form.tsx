"use client";
/** Names a new API key, then shows it once with a copy button: the server keeps only its hash. */
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState, type ReactNode } from "react";
import type { CreateKeyState } from "@/lib/api-keys/actions";
import { Notice } from "./notice";
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
      {state.created && <NewKey name={state.created.name} secret={state.created.key} />}
    </div>
  );
}

function NewKey({ name, secret }: { name: string; secret: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <section aria-labelledby="new-key-heading" className="rounded-2xl border border-emerald-200 bg-emerald-50 p-5">
      <h3 id="new-key-heading" className="font-semibold text-emerald-900">
        Key “{name}” created
      </h3>
      <p className="mt-1 text-sm text-emerald-900">
        Copy it now: this is the only time it is shown. We keep only a hash of it, so it cannot be shown again.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code
          data-testid="new-api-key"
          className="min-w-0 flex-1 break-all rounded-lg border border-emerald-200 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        >
          {secret}
        </code>
        <button
          type="button"
          onClick={copy}
          className="rounded-lg border border-emerald-300 bg-white px-3 py-2 text-sm font-semibold text-emerald-800 shadow-sm hover:bg-emerald-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
        >
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      <p role="status" aria-live="polite" className="mt-2 text-xs text-emerald-800">
        {copied === "yes"
          ? "Copied to the clipboard."
          : copied === "failed"
            ? "Copying is blocked here; select the key and copy it by hand."
            : ""}
      </p>
    </section>
  );
}
