/**
 * Admin: one user's subscriptions (server component), for /admin/users/<id>:
 * plan, status, credits per period, renewal, a failed renewal with its reason,
 * and the Stripe ids, each linking to its events in the log.
 */
import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { LoadFailed, PageSection } from "@/components/page-section";
import { SubscriptionStatus } from "@/components/subscription-status";
import { getDb } from "@/lib/db";
import { listUserSubscriptions, type UserSubscription } from "@/lib/db/rpc/subscriptions";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";

const COLUMNS = [
  { label: "Plan" },
  { label: "Status" },
  { label: "Credits / period", numeric: true },
  { label: "Renews or ends" },
  { label: "Stripe ids" },
  { label: "Last failure" },
];

const eventsFor = (id: string) => `/admin/events?q=${encodeURIComponent(id)}`;

function StripeIds({ sub }: { sub: UserSubscription }) {
  const ids = [sub.external_id, sub.customer_id, sub.latest_invoice_id].filter((id): id is string => !!id);
  return (
    <ul className="space-y-0.5">
      {ids.map((id) => (
        <li key={id}>
          <Link
            href={eventsFor(id)}
            className="font-mono text-xs text-indigo-700 hover:underline"
            title="Events for this id"
          >
            {id}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export async function AdminUserSubscription({ userId }: { userId: string }) {
  let subscriptions: UserSubscription[];
  try {
    subscriptions = await listUserSubscriptions(getDb(), userId);
  } catch {
    return <LoadFailed what="Subscriptions" />;
  }
  return (
    <PageSection id="user-subscription" title="Subscription">
      {subscriptions.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-4 text-sm text-slate-600">
          No subscription: this account buys packs only.
        </p>
      ) : (
        <DataTable caption="Subscriptions, live first" columns={COLUMNS}>
          {subscriptions.map((sub) => (
            <tr key={sub.id} className="align-top">
              <td className="px-4 py-3 text-slate-900">
                {sub.plan_name ?? sub.plan_id ?? "—"}
                {sub.amount_minor !== null && sub.currency && (
                  <span className="block text-xs text-slate-500">
                    {formatMoney(sub.amount_minor, sub.currency)} / month
                  </span>
                )}
              </td>
              <td className="px-4 py-3">
                <SubscriptionStatus status={sub.status} cancelAtPeriodEnd={sub.cancel_at_period_end} />
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-right tabular-nums text-slate-900">
                {sub.credits_per_period === null ? "—" : formatCredits(sub.credits_per_period)}
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-slate-600">
                {sub.current_period_end ? formatDateTime(sub.current_period_end) : "—"}
              </td>
              <td className="px-4 py-3">
                <StripeIds sub={sub} />
              </td>
              <td className="px-4 py-3 text-slate-600">
                {sub.failed_invoice_id ? (
                  <>
                    <span className="text-red-800">{sub.last_payment_error ?? "payment failed"}</span>
                    <Link
                      href={eventsFor(sub.failed_invoice_id)}
                      className="block font-mono text-xs text-indigo-700 hover:underline"
                    >
                      {sub.failed_invoice_id}
                    </Link>
                  </>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </PageSection>
  );
}
