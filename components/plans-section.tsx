/** /wallet's monthly plans: the signed-in person's subscriptions, then the plans on sale (server component). */
import { Notice } from "@/components/notice";
import { getDb } from "@/lib/db";
import {
  isLive,
  listActivePlans,
  listUserSubscriptions,
  type CreditPlan,
  type UserSubscription,
} from "@/lib/db/rpc/subscriptions";
import { PlanCard } from "./plan-card";
import { SubscriptionCard } from "./subscription-card";

export async function PlansSection({ userId, testMode }: { userId: string; testMode: boolean }) {
  let plans: CreditPlan[];
  let subscriptions: UserSubscription[];
  try {
    [plans, subscriptions] = await Promise.all([listActivePlans(getDb()), listUserSubscriptions(getDb(), userId)]);
  } catch {
    return (
      <Notice tone="error" title="Plans could not be loaded">
        Please reload the page in a moment.
      </Notice>
    );
  }
  if (plans.length === 0 && subscriptions.length === 0) return null;
  const live = subscriptions.filter(isLive);
  // the most recently ended one stays visible, so a cancellation is confirmed on the page
  const shown = live.length > 0 ? live : subscriptions.slice(0, 1);
  const subscribedPlans = new Set(live.map((s) => s.plan_id));
  return (
    <section aria-labelledby="plans-heading" className="space-y-4">
      <h2 id="plans-heading" className="text-xl font-semibold text-slate-900">
        Monthly plans
      </h2>
      {shown.map((sub) => (
        <SubscriptionCard key={sub.id} sub={sub} testMode={testMode} />
      ))}
      {plans.length > 0 && (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {plans.map((plan) => (
            <PlanCard key={plan.id} plan={plan} subscribed={subscribedPlans.has(plan.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
