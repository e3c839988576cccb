/** The local test checkout for a monthly plan (server component): the order, and "Subscribe" that sends the signed events. */
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getActivePlan, isLive, listUserSubscriptions } from "@/lib/db/rpc/subscriptions";
import { formatCredits, formatMoney } from "@/lib/format";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

export async function TestPlanOrder({ planId, error }: { planId: string; error: boolean }) {
  const session = await requireUser(`/checkout/test?plan=${encodeURIComponent(planId)}`);
  const plan = planId ? await getActivePlan(getDb(), planId) : null;
  if (!plan) notFound();
  const subscriptions = await listUserSubscriptions(getDb(), session.userId);
  const alreadySubscribed = subscriptions.some((s) => s.plan_id === plan.id && isLive(s));
  const price = `${formatMoney(plan.amount_minor, plan.currency)} / ${plan.billing_interval}`;

  return (
    <div className="mx-auto w-full max-w-lg space-y-6 px-4 py-10 sm:px-6">
      <Notice tone="warning" title="Test checkout: no real payment happens">
        This app has no Stripe account configured. Subscribing here simulates a successful card payment every period:
        your card is not asked for and nothing is charged.
      </Notice>
      {error && (
        <Notice tone="error" title="The test subscription did not go through">
          Our payment webhook did not accept the test events. Check the server log, then try again.
        </Notice>
      )}

      <section aria-labelledby="order-heading" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 id="order-heading" className="text-xl font-semibold tracking-tight text-slate-900">
          Your subscription
        </h1>
        <dl className="mt-4 divide-y divide-slate-100 text-sm">
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Plan</dt>
            <dd className="font-medium text-slate-900">{plan.name}</dd>
          </div>
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Credits</dt>
            <dd className="font-medium text-slate-900">
              {formatCredits(plan.credits_per_period)} every {plan.billing_interval}
            </dd>
          </div>
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Account</dt>
            <dd className="truncate pl-4 font-medium text-slate-900">{session.email}</dd>
          </div>
          <div className="flex justify-between py-2 text-base">
            <dt className="font-semibold text-slate-900">Due today</dt>
            <dd className="font-semibold text-slate-900">{price}</dd>
          </div>
        </dl>
        {alreadySubscribed ? (
          <div className="mt-6 space-y-3">
            <Notice tone="info" title={`You already subscribe to ${plan.name}`}>
              Manage or cancel it on your wallet.
            </Notice>
            <Link
              href="/wallet"
              className="block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white hover:bg-indigo-500"
            >
              Go to your wallet
            </Link>
          </div>
        ) : (
          <form action="/api/checkout/test" method="post" className="mt-6 flex flex-col gap-3 sm:flex-row-reverse">
            <input type="hidden" name="plan_id" value={plan.id} />
            <SubmitButton className="sm:flex-1" pendingLabel="Subscribing…">
              Subscribe for {price} (test)
            </SubmitButton>
            <Link
              href="/wallet?checkout=cancelled"
              className="rounded-lg border border-slate-300 px-4 py-2 text-center text-sm font-semibold text-slate-800 hover:bg-slate-50 sm:flex-1"
            >
              Cancel
            </Link>
          </form>
        )}
      </section>
    </div>
  );
}
