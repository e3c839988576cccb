"use client";
/** Adds an outgoing webhook endpoint, then shows its signing secret once. */
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { Notice } from "@/components/notice";
import { SubmitButton } from "@/components/submit-button";
import type { SecretState } from "@/lib/outgoing-webhooks/admin-actions";
import { EventTypeChoices } from "./event-type-choices";
import { ShownOnceSecret } from "../shown-once-secret";

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export function NewWebhookEndpointForm({
  action,
  httpsOnly,
}: {
  action: (state: SecretState, form: FormData) => Promise<SecretState>;
  /** Production: https:// URLs on public addresses only. */
  httpsOnly: boolean;
}) {
  const [state, formAction] = useActionState(action, {});
  const router = useRouter();
  useEffect(() => {
    if (state.serial) router.refresh();
  }, [state.serial, router]);
  return (
    <div className="space-y-4">
      <form
        key={state.serial ?? 0}
        action={formAction}
        className="space-y-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm"
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <label className="block text-sm font-medium text-slate-700">
            Endpoint URL
            <input
              name="url"
              type="url"
              required
              maxLength={2000}
              autoComplete="off"
              spellCheck={false}
              placeholder="https://api.example.com/webhooks/credits"
              aria-describedby="endpoint-url-help"
              className={`${field} font-mono`}
            />
            <span id="endpoint-url-help" className="mt-1 block text-xs font-normal text-slate-500">
              {httpsOnly
                ? "https:// only, on a public address (OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1 allows private ones)."
                : "http:// and private addresses are allowed here (not in production, unless OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1)."}
            </span>
          </label>
          <label className="block text-sm font-medium text-slate-700">
            Description <span className="font-normal text-slate-500">(optional)</span>
            <input
              name="description"
              maxLength={200}
              autoComplete="off"
              className={field}
              placeholder="e.g. Billing backend"
            />
          </label>
        </div>
        <EventTypeChoices legend="Event types" selected={["credits.granted"]} idPrefix="new-endpoint" />
        <SubmitButton pendingLabel="Adding…">Add endpoint</SubmitButton>
      </form>
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.shown && (
        <ShownOnceSecret
          title={`Endpoint added: ${state.shown.url}`}
          secret={state.shown.secret}
          noun="secret"
          testId="webhook-secret"
        >
          Copy the signing secret now and give it to the receiver: it is shown only this once. The receiver verifies
          each delivery with it (README, &ldquo;Outgoing webhooks&rdquo;).
        </ShownOnceSecret>
      )}
    </div>
  );
}
