/** The newest outgoing webhook deliveries on /admin/webhooks: event, status, attempts, the last answer, Replay. */
import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { SubmitButton } from "@/components/submit-button";
import { formatTime, truncate } from "@/lib/admin/format";
import type { WebhookDelivery } from "@/lib/db/rpc/outgoing-webhooks";
import { replayDeliveryAction } from "@/lib/outgoing-webhooks/admin-actions";
import { DeliveryStatusBadge } from "./delivery-status-badge";
import { SECONDARY_BUTTON } from "./webhook-buttons";

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

export function WebhookDeliveriesTable({ deliveries }: { deliveries: WebhookDelivery[] }) {
  return (
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
      {deliveries.map((d) => (
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
            {d.attempts === 0 ? <span className="text-slate-400">not sent yet</span> : <LastAnswer delivery={d} />}
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
                  className={`${SECONDARY_BUTTON} !px-3 !py-1`}
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
  );
}
