/** One monthly plan: credits every month, its price, and Subscribe (or "your plan"). */
import type { CreditPlan } from "@/lib/db/rpc/subscriptions";
import { formatCredits, formatMoney } from "@/lib/format";
import { SubmitButton } from "./submit-button";

export function PlanCard({ plan, subscribed }: { plan: CreditPlan; subscribed: boolean }) {
  return (
    <article
      className="flex flex-col rounded-2xl border border-slate-200 bg-white p-5 shadow-sm"
      aria-labelledby={`plan-${plan.id}`}
    >
      <h3 id={`plan-${plan.id}`} className="text-base font-semibold text-slate-900">
        {plan.name}
      </h3>
      <p className="mt-3 text-3xl font-semibold tracking-tight text-slate-900">
        {formatMoney(plan.amount_minor, plan.currency)}
        <span className="text-base font-medium text-slate-500"> / {plan.billing_interval}</span>
      </p>
      <p className="mt-1 text-sm font-medium text-indigo-700">
        {formatCredits(plan.credits_per_period)} every {plan.billing_interval}
      </p>
      {plan.description && <p className="mt-3 flex-1 text-sm text-slate-600">{plan.description}</p>}
      <div className="mt-5">
        {subscribed ? (
          <p className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-2 text-center text-sm font-medium text-emerald-800">
            Your plan
          </p>
        ) : (
          <form action="/api/checkout" method="post">
            <input type="hidden" name="plan_id" value={plan.id} />
            <SubmitButton className="w-full" pendingLabel="Starting checkout…" aria-label={`Subscribe to ${plan.name}`}>
              Subscribe
            </SubmitButton>
          </form>
        )}
      </div>
    </article>
  );
}
