// /admin/webhooks: outgoing webhook endpoints (add, event types, disable, rotate, test) and their deliveries (replay).
import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { DeliveryStatusBadge } from "@/components/admin/delivery-status-badge";
import { EventTypeChoices } from "@/components/admin/event-type-choices";
import { NewWebhookEndpointForm } from "@/components/admin/new-webhook-endpoint-form";
import { RotateWebhookSecret } from "@/components/admin/rotate-webhook-secret";
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { Notice } from "@/components/notice";
import { LoadedList, PageSection } from "@/components/page-section";
import { SubmitButton } from "@/components/submit-button";
import { formatTime, truncate } from "@/lib/admin/format";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import {
  listWebhookDeliveries,
  listWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "@/lib/db/rpc/outgoing-webhooks";
import { strictUrls } from "@/lib/outgoing-webhooks";
import {
  createEndpointAction,
  replayDeliveryAction,
  rotateSecretAction,
  sendTestEventAction,
  setEndpointEnabledAction,
  updateEventTypesAction,
} from "@/lib/outgoing-webhooks/admin-actions";

export const metadata: Metadata = { title: "Outgoing webhooks" };
export const dynamic = "force-dynamic";

const PROBLEMS: Record<string, string> = {
  invalid: "That endpoint or delivery no longer exists, or the form was incomplete.",
  "no-types": "Choose at least one event type; to stop deliveries, disable the endpoint instead.",
  "in-flight": "An attempt of that delivery is being sent right now. Try again in a minute.",
  unavailable: "The database did not answer. Please try again in a moment.",
};

const DONE: Record<string, string> = {
  enabled: "Endpoint enabled. Deliveries that waited go out now.",
  disabled: "Endpoint disabled. It gets no new events; its pending deliveries wait until it is enabled again.",
  types: "Event types saved. They apply to events from now on.",
  test: "Test event queued. It goes out within a few seconds; see Deliveries below.",
  replayed: "Delivery queued again with the same webhook-id. It goes out within a few seconds.",
};

/** The last attempt's answer: its status and first bytes, or why there was none (refused, timed out, a redirect). */
function LastAnswer({ delivery: d }: { delivery: WebhookDelivery }) {
  const ok = d.status === "succeeded";
  const error = d.last_error && d.last_error !== `HTTP ${d.last_status}` && !ok ? d.last_error : null;
  return (
    <>
      {d.last_status !== null && (
        <span className={`font-mono ${ok ? "text-emerald-700" : "text-red-700"}`}>HTTP {d.last_status} </span>
      )}
      {error ? (
        <span className="text-red-700">{truncate(error, 120)}</span>
      ) : (
        d.last_response && <span className="break-all">{truncate(d.last_response, 120)}</span>
      )}
    </>
  );
}

const secondary =
  "!bg-white !text-slate-800 ring-1 ring-inset ring-slate-300 hover:!bg-slate-50 focus-visible:outline-indigo-600";

type Props = { searchParams: Promise<{ error?: string; done?: string; endpoint?: string }> };

export default async function WebhooksPage({ searchParams }: Props) {
  await requireAdmin("/admin/webhooks");
  const { error, done, endpoint: endpointParam } = await searchParams;
  const endpointFilter = z.uuid().safeParse(endpointParam).data ?? null;
  let endpoints: WebhookEndpoint[] | undefined;
  let deliveries: WebhookDelivery[] | undefined;
  try {
    [endpoints, deliveries] = await Promise.all([
      listWebhookEndpoints(getDb()),
      listWebhookDeliveries(getDb(), endpointFilter, 50),
    ]);
  } catch {
    endpoints = undefined;
    deliveries = undefined;
  }
  const filtered = endpoints?.find((e) => e.id === endpointFilter);

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Outgoing webhooks</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Your backend hears about grants, reversals and low balances without polling. Each event is signed per the
          Standard Webhooks specification and retried for about 38 hours (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)
          until the endpoint answers 2xx within 15 s.
        </p>
      </div>

      {error && (
        <Notice tone="error" title="Not done">
          {PROBLEMS[error] ?? PROBLEMS.invalid}
        </Notice>
      )}
      {done && DONE[done] && <Notice tone="success">{DONE[done]}</Notice>}

      <PageSection id="add-endpoint" title="Add an endpoint">
        <NewWebhookEndpointForm action={createEndpointAction} httpsOnly={strictUrls()} />
      </PageSection>

      <PageSection id="endpoints" title="Endpoints">
        <LoadedList
          items={endpoints}
          what="Endpoints"
          empty={{ title: "No endpoints yet", text: "Add one above; events are sent from then on." }}
        >
          {(rows) => (
            <ul className="space-y-4">
              {rows.map((e) => (
                <li
                  key={e.id}
                  data-testid="webhook-endpoint"
                  className="space-y-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm"
                >
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div className="min-w-0">
                      <p className="break-all font-mono text-sm font-semibold text-slate-900">{e.url}</p>
                      {e.description && <p className="mt-0.5 text-sm text-slate-600">{e.description}</p>}
                      <p className="mt-1 text-xs text-slate-500">
                        Added {formatTime(e.created_at)} · {e.succeeded} delivered · {e.pending} pending · {e.failed}{" "}
                        failed
                      </p>
                    </div>
                    <div className="flex flex-wrap items-center gap-2">
                      {e.enabled ? <Badge tone="good">enabled</Badge> : <Badge tone="neutral">disabled</Badge>}
                      {e.rotating_until && (
                        <Badge tone="info">old secret signs until {formatTime(e.rotating_until)}</Badge>
                      )}
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
                      <SubmitButton pendingLabel="Saving…" className={secondary}>
                        Save event types
                      </SubmitButton>
                    </form>
                  </details>

                  <div className="flex flex-wrap items-start gap-2 border-t border-slate-100 pt-4">
                    <form action={setEndpointEnabledAction}>
                      <input type="hidden" name="id" value={e.id} />
                      <input type="hidden" name="enabled" value={e.enabled ? "false" : "true"} />
                      <SubmitButton pendingLabel="Saving…" className={secondary}>
                        {e.enabled ? "Disable" : "Enable"}
                      </SubmitButton>
                    </form>
                    <form action={sendTestEventAction}>
                      <input type="hidden" name="id" value={e.id} />
                      <SubmitButton pendingLabel="Queueing…" className={secondary}>
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
              ))}
            </ul>
          )}
        </LoadedList>
      </PageSection>

      <PageSection
        id="deliveries"
        title={filtered ? `Deliveries to ${truncate(filtered.url, 60)}` : "Recent deliveries"}
      >
        {filtered && (
          <Link
            href="/admin/webhooks#deliveries-heading"
            className="text-sm font-medium text-indigo-700 hover:underline"
          >
            Show deliveries to every endpoint
          </Link>
        )}
        <LoadedList
          items={deliveries}
          what="Deliveries"
          empty={{ title: "No deliveries yet", text: "Send a test event to an endpoint to see one here." }}
        >
          {(rows) => (
            <DataTable
              caption="Outgoing webhook deliveries, newest first"
              dense
              columns={[
                { label: "Event" },
                { label: "Status" },
                { label: "Attempts", numeric: true },
                { label: "Last answer" },
                { label: "When" },
                { label: "Replay" },
              ]}
            >
              {rows.map((d) => (
                <tr key={d.id} data-testid="webhook-delivery">
                  <td className="px-3 py-2">
                    <Link
                      href={`/admin/webhooks/deliveries/${d.id}`}
                      className="font-mono text-indigo-700 underline-offset-2 hover:underline"
                    >
                      {d.type}
                    </Link>
                    <span className="block max-w-56 truncate text-xs text-slate-500" title={d.url}>
                      {d.url}
                    </span>
                  </td>
                  <td className="px-3 py-2">
                    <DeliveryStatusBadge status={d.status} attempts={d.attempts} />
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{d.attempts}</td>
                  <td className="max-w-64 px-3 py-2 text-xs text-slate-700">
                    {d.attempts === 0 ? (
                      <span className="text-slate-400">not sent yet</span>
                    ) : (
                      <LastAnswer delivery={d} />
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-xs text-slate-600">
                    {d.status === "pending" && d.attempts > 0 ? (
                      <>next {formatTime(d.next_attempt_at)}</>
                    ) : (
                      formatTime(d.finished_at ?? d.created_at)
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {d.attempts > 0 && (
                      <form action={replayDeliveryAction}>
                        <input type="hidden" name="id" value={d.id} />
                        <SubmitButton
                          pendingLabel="Queueing…"
                          className={`${secondary} !px-3 !py-1`}
                          aria-label={`Replay ${d.type} delivery ${d.webhook_id}`}
                        >
                          Replay
                        </SubmitButton>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </LoadedList>
      </PageSection>
    </div>
  );
}
