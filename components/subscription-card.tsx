/**
 * A subscriber's plan on /wallet: status, credits per period, next renewal, a
 * failed renewal, and what they can do. Stripe mode: "Manage billing" (the
 * Billing Portal: card, invoices, cancelling). Test mode: buttons that send the
 * events a real subscription would (renewal, failed renewal, payment, cancel).
 */
import type { UserSubscription } from "@/lib/db/rpc/subscriptions";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";
import { SubscriptionStatus } from "./subscription-status";

const secondary = "!bg-white !text-slate-800 ring-1 ring-inset ring-slate-300 hover:!bg-slate-50";

function TestAction({
  sub,
  action,
  label,
  pending,
  primary = false,
}: {
  sub: UserSubscription;
  action: string;
  label: string;
  pending: string;
  primary?: boolean;
}) {
  return (
    <form action="/api/checkout/test/subscription" method="post">
      <input type="hidden" name="subscription_id" value={sub.external_id} />
      <input type="hidden" name="action" value={action} />
      {sub.current_period_end && (
        // the period this page shows: a second click after the first went through acts on nothing
        <input type="hidden" name="period_end" value={sub.current_period_end.toISOString()} />
      )}
      <SubmitButton pendingLabel={pending} className={primary ? "" : secondary}>
        {label}
      </SubmitButton>
    </form>
  );
}

export function SubscriptionCard({ sub, testMode }: { sub: UserSubscription; testMode: boolean }) {
  const live = !["canceled", "incomplete_expired"].includes(sub.status);
  const running = sub.status === "active" && !sub.cancel_at_period_end;
  const name = sub.plan_name ?? "Subscription";
  const renewal = sub.current_period_end
    ? sub.cancel_at_period_end || !live
      ? { term: sub.status === "canceled" ? "Ended" : "Ends on", date: sub.current_period_end }
      : { term: "Next renewal", date: sub.current_period_end }
    : null;
  return (
    <article
      aria-labelledby={`sub-${sub.id}`}
      data-testid="subscription"
      className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h3 id={`sub-${sub.id}`} className="text-lg font-semibold text-slate-900">
          {name}
        </h3>
        <SubscriptionStatus status={sub.status} cancelAtPeriodEnd={sub.cancel_at_period_end} />
      </div>
      <dl className="mt-4 grid gap-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-500">Credits per period</dt>
          <dd className="mt-0.5 font-medium text-slate-900" data-testid="credits-per-period">
            {sub.credits_per_period === null ? "—" : `${formatCredits(sub.credits_per_period)} / month`}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Price</dt>
          <dd className="mt-0.5 font-medium text-slate-900">
            {sub.amount_minor === null || !sub.currency
              ? "—"
              : `${formatMoney(sub.amount_minor, sub.currency)} / month`}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">{renewal?.term ?? "Next renewal"}</dt>
          <dd className="mt-0.5 font-medium text-slate-900" data-testid="next-renewal">
            {renewal ? formatDateTime(renewal.date) : "—"}
          </dd>
        </div>
      </dl>

      {sub.status === "past_due" || sub.status === "unpaid" ? (
        <div role="alert" className="mt-4 rounded-xl border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          <p className="font-semibold">Your last renewal payment failed</p>
          <p className="mt-1">
            {sub.last_payment_error ? `${sub.last_payment_error}. ` : ""}No credits are added for this period until it
            is paid{testMode ? "." : ": update your card under Manage billing."}
          </p>
        </div>
      ) : null}

      {live && (
        <div className="mt-5 flex flex-wrap gap-3">
          {testMode ? (
            <>
              {running && (
                <TestAction sub={sub} action="renew" label="Start next period now" pending="Renewing…" primary />
              )}
              {sub.status === "past_due" && sub.failed_invoice_id && (
                <TestAction sub={sub} action="pay" label="Pay the overdue invoice" pending="Paying…" primary />
              )}
              {running && <TestAction sub={sub} action="fail" label="Simulate a failed renewal" pending="Sending…" />}
              <TestAction sub={sub} action="cancel" label="Cancel subscription" pending="Cancelling…" />
            </>
          ) : (
            <form action="/api/billing/portal" method="post">
              <SubmitButton pendingLabel="Opening billing…">Manage billing</SubmitButton>
            </form>
          )}
        </div>
      )}
      {live && testMode && (
        <p className="mt-3 text-xs text-slate-500">
          Test mode: these buttons send our webhook the signed events Stripe would send. Nothing is charged.
        </p>
      )}
    </article>
  );
}
