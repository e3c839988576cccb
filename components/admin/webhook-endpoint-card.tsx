/** One outgoing webhook endpoint on /admin/webhooks: its URL and counts, event types, enable/disable, test, rotate. */
import Link from "next/link";
import { Badge } from "@/components/badge";
import { SubmitButton } from "@/components/submit-button";
import { formatTime } from "@/lib/admin/format";
import type { WebhookEndpoint } from "@/lib/db/rpc/outgoing-webhooks";
import {
  rotateSecretAction,
  sendTestEventAction,
  setEndpointEnabledAction,
  updateEventTypesAction,
} from "@/lib/outgoing-webhooks/admin-actions";
import { EventTypeChoices } from "./event-type-choices";
import { RotateWebhookSecret } from "./rotate-webhook-secret";
import { SECONDARY_BUTTON } from "./webhook-buttons";

export function WebhookEndpointCard({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  return (
    <li data-testid="webhook-endpoint" className="space-y-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="break-all font-mono text-sm font-semibold text-slate-900">{e.url}</p>
          {e.description && <p className="mt-0.5 text-sm text-slate-600">{e.description}</p>}
          <p className="mt-1 text-xs text-slate-500">
            Added {formatTime(e.created_at)} · {e.succeeded} delivered · {e.pending} pending · {e.failed} failed
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {e.enabled ? <Badge tone="good">enabled</Badge> : <Badge tone="neutral">disabled</Badge>}
          {e.rotating_until && <Badge tone="info">old secret signs until {formatTime(e.rotating_until)}</Badge>}
        </div>
      </div>

      <details className="group rounded-xl border border-slate-200 bg-slate-50/60">
        <summary className="cursor-pointer list-none rounded-xl px-4 py-2.5 text-sm text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
          <span className="font-medium">Event types:</span>{" "}
          <span className="font-mono text-slate-900">{e.event_types.join(", ")}</span>{" "}
          <span className="text-indigo-700 group-open:hidden">· change</span>
        </summary>
        <form action={updateEventTypesAction} className="space-y-3 border-t border-slate-200 p-4">
          <input type="hidden" name="id" value={e.id} />
          <EventTypeChoices legend="Event types" selected={e.event_types} idPrefix={`endpoint-${e.id}`} />
          <SubmitButton pendingLabel="Saving…" className={SECONDARY_BUTTON}>
            Save event types
          </SubmitButton>
        </form>
      </details>

      <div className="flex flex-wrap items-start gap-2 border-t border-slate-100 pt-4">
        <form action={setEndpointEnabledAction}>
          <input type="hidden" name="id" value={e.id} />
          <input type="hidden" name="enabled" value={e.enabled ? "false" : "true"} />
          <SubmitButton pendingLabel="Saving…" className={SECONDARY_BUTTON}>
            {e.enabled ? "Disable" : "Enable"}
          </SubmitButton>
        </form>
        <form action={sendTestEventAction}>
          <input type="hidden" name="id" value={e.id} />
          <SubmitButton pendingLabel="Queueing…" className={SECONDARY_BUTTON}>
            Send test event
          </SubmitButton>
        </form>
        <Link
          href={`/admin/webhooks?endpoint=${e.id}#deliveries-heading`}
          className="rounded-lg px-3 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Deliveries
        </Link>
        <div className="basis-full sm:basis-auto">
          <RotateWebhookSecret id={e.id} action={rotateSecretAction} />
        </div>
      </div>
    </li>
  );
}
