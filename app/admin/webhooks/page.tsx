// /admin/webhooks: outgoing webhook endpoints (add, event types, disable, rotate, test) and their deliveries (replay).
import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { NewWebhookEndpointForm } from "@/components/admin/new-webhook-endpoint-form";
import { WebhookDeliveriesTable } from "@/components/admin/webhook-deliveries-table";
import { WebhookEndpointCard } from "@/components/admin/webhook-endpoint-card";
import { Notice } from "@/components/notice";
import { LoadedList, PageSection } from "@/components/page-section";
import { truncate } from "@/lib/admin/format";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import {
  listWebhookDeliveries,
  listWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "@/lib/db/rpc/outgoing-webhooks";
import { strictUrls } from "@/lib/outgoing-webhooks";
import { createEndpointAction } from "@/lib/outgoing-webhooks/admin-actions";

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
                <WebhookEndpointCard key={e.id} endpoint={e} />
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
          {(rows) => <WebhookDeliveriesTable deliveries={rows} />}
        </LoadedList>
      </PageSection>
    </div>
  );
}
