/** /wallet's monthly plans: the signed-in person's subscriptions, then the plans on sale (server component). */
import { LoadFailed, PageSection } from "@/components/page-section";
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
    return <LoadFailed what="Plans" />;
  }
  if (plans.length === 0 && subscriptions.length === 0) return null;
  const live = subscriptions.filter(isLive);
  // the most recently ended one stays visible, so a cancellation is confirmed on the page
  const shown = live.length > 0 ? live : subscriptions.slice(0, 1);
  const subscribedPlans = new Set(live.map((s) => s.plan_id));
  return (
    <PageSection id="plans" title="Monthly plans" roomy>
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
    </PageSection>
  );
}
