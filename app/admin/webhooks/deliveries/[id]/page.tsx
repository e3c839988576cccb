// /admin/webhooks/deliveries/[id]: one outgoing delivery: its event, every attempt with the answer, and Replay.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { DeliveryStatusBadge } from "@/components/admin/delivery-status-badge";
import { PayloadView } from "@/components/admin/payload-view";
import { DataTable } from "@/components/data-table";
import { PageSection } from "@/components/page-section";
import { SubmitButton } from "@/components/submit-button";
import { formatDuration, formatTime } from "@/lib/admin/format";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getWebhookDelivery } from "@/lib/db/rpc/outgoing-webhooks";
import { replayDeliveryAction } from "@/lib/outgoing-webhooks/admin-actions";

export const metadata: Metadata = { title: "Webhook delivery" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

const td = "px-3 py-2 align-top";

export default async function DeliveryPage({ params }: Props) {
  await requireAdmin("/admin/webhooks");
  const id = z.uuid().safeParse((await params).id);
  if (!id.success) notFound();
  const delivery = await getWebhookDelivery(getDb(), id.data);
  if (!delivery) notFound();

  return (
    <div className="space-y-6">
      <div>
        <Link href="/admin/webhooks" className="text-sm font-medium text-indigo-700 underline-offset-2 hover:underline">
          ← Outgoing webhooks
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="font-mono text-xl font-semibold tracking-tight">{delivery.type}</h1>
          <DeliveryStatusBadge status={delivery.status} attempts={delivery.attempts} />
        </div>
        <p className="mt-1 break-all text-sm text-slate-600">
          to <span className="font-mono">{delivery.url}</span> · webhook-id{" "}
          <span className="font-mono">{delivery.webhook_id}</span>
        </p>
        <p className="mt-1 text-sm text-slate-600">
          Created {formatTime(delivery.created_at)}
          {delivery.status === "pending" && delivery.attempts > 0 && (
            <> · next attempt {formatTime(delivery.next_attempt_at)}</>
          )}
          {delivery.finished_at && <> · finished {formatTime(delivery.finished_at)}</>}
        </p>
      </div>

      {delivery.attempts > 0 && (
        <form action={replayDeliveryAction}>
          <input type="hidden" name="id" value={delivery.id} />
          <SubmitButton pendingLabel="Queueing…">Replay this delivery</SubmitButton>
        </form>
      )}

      <PageSection id="attempts" title="Attempts">
        {delivery.attempt_log.length === 0 ? (
          <p className="text-sm text-slate-600">Not sent yet: it goes out within a few seconds.</p>
        ) : (
          <DataTable
            caption="Delivery attempts, oldest first"
            dense
            columns={[
              { label: "#" },
              { label: "When" },
              { label: "Answer" },
              { label: "Duration", numeric: true },
              { label: "First 1 KB of the answer, or the error" },
            ]}
          >
            {delivery.attempt_log.map((a) => (
              <tr key={a.attempt}>
                <td className={`${td} tabular-nums`}>{a.attempt}</td>
                <td className={`${td} whitespace-nowrap`}>
                  <time dateTime={a.started_at.toISOString()}>{formatTime(a.started_at)}</time>
                </td>
                <td
                  className={`${td} whitespace-nowrap font-mono ${a.succeeded ? "text-emerald-700" : "text-red-700"}`}
                >
                  {a.response_status === null ? "no answer" : `HTTP ${a.response_status}`}
                </td>
                <td className={`${td} whitespace-nowrap text-right tabular-nums`}>{formatDuration(a.duration_ms)}</td>
                <td
                  className={`${td} max-w-md break-all font-mono text-xs ${a.error ? "text-red-700" : "text-slate-700"}`}
                >
                  {a.error ?? (a.response_body || "—")}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </PageSection>

      <PageSection id="event" title="Event data">
        <PayloadView payload={{ type: delivery.type, data: delivery.data }} label="The event's type and data" />
      </PageSection>
    </div>
  );
}
