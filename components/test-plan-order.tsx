/** The local test checkout for a monthly plan (server component): the order, and "Subscribe" that sends the signed events. */
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getActivePlan, isLive, listUserSubscriptions } from "@/lib/db/rpc/subscriptions";
import { formatCredits, formatMoney } from "@/lib/format";
import { Notice } from "./notice";
import { TestOrder, TestOrderForm } from "./test-order";

export async function TestPlanOrder({ planId, error }: { planId: string; error: boolean }) {
  const session = await requireUser(`/checkout/test?plan=${encodeURIComponent(planId)}`);
  const plan = planId ? await getActivePlan(getDb(), planId) : null;
  if (!plan) notFound();
  const subscriptions = await listUserSubscriptions(getDb(), session.userId);
  const alreadySubscribed = subscriptions.some((s) => s.plan_id === plan.id && isLive(s));
  const price = `${formatMoney(plan.amount_minor, plan.currency)} / ${plan.billing_interval}`;

  return (
    <TestOrder
      what="a successful card payment every period"
      title="Your subscription"
      rows={[
        ["Plan", plan.name],
        ["Credits", `${formatCredits(plan.credits_per_period)} every ${plan.billing_interval}`],
        ["Account", session.email],
      ]}
      total={["Due today", price]}
      failed={error}
    >
      {alreadySubscribed ? (
        <div className="mt-6 space-y-3">
          <Notice tone="info" title={`You already subscribe to ${plan.name}`}>
            Manage or cancel it where you buy credits.
          </Notice>
          <Link
            href="/wallet/buy#plans-heading"
            className="block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white hover:bg-indigo-700"
          >
            Go to your plans
          </Link>
        </div>
      ) : (
        <TestOrderForm field="plan_id" value={plan.id} pendingLabel="Subscribing…">
          Subscribe for {price} (test)
        </TestOrderForm>
      )}
    </TestOrder>
  );
}
