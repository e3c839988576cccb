// The local test checkout (no STRIPE_SECRET_KEY; in production only with LOCAL_TEST_CHECKOUT=1): shows the order; "Pay" sends our webhook a signed test event.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Notice } from "@/components/notice";
import { SubmitButton } from "@/components/submit-button";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { getDb } from "@/lib/db";
import { getActivePackage } from "@/lib/db/rpc/account-reads";
import { TestPlanOrder } from "@/components/test-plan-order";
import { formatCredits, formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "Test checkout" };
export const dynamic = "force-dynamic";

export default async function TestCheckoutPage({
  searchParams,
}: {
  searchParams: Promise<{ package?: string; plan?: string; error?: string }>;
}) {
  if (!localCheckoutEnabled()) notFound();
  const search = await searchParams;
  if (typeof search.plan === "string") return <TestPlanOrder planId={search.plan} error={!!search.error} />;
  const packageId = typeof search.package === "string" ? search.package : "";
  const session = await requireUser(`/checkout/test?package=${encodeURIComponent(packageId)}`);
  const pack = packageId ? await getActivePackage(getDb(), packageId) : null;
  if (!pack) notFound();

  return (
    <div className="mx-auto w-full max-w-lg space-y-6 px-4 py-10 sm:px-6">
      <Notice tone="warning" title="Test checkout: no real payment happens">
        This app has no Stripe account configured. Paying here simulates a successful card payment: your card is not
        asked for and nothing is charged.
      </Notice>
      {search.error && (
        <Notice tone="error" title="The test payment did not go through">
          Our payment webhook did not accept the test event. Check the server log, then try again.
        </Notice>
      )}

      <section aria-labelledby="order-heading" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 id="order-heading" className="text-xl font-semibold tracking-tight text-slate-900">
          Your order
        </h1>
        <dl className="mt-4 divide-y divide-slate-100 text-sm">
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Pack</dt>
            <dd className="font-medium text-slate-900">{pack.name}</dd>
          </div>
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Credits</dt>
            <dd className="font-medium text-slate-900">{formatCredits(pack.credits)}</dd>
          </div>
          <div className="flex justify-between py-2">
            <dt className="text-slate-600">Account</dt>
            <dd className="truncate pl-4 font-medium text-slate-900">{session.email}</dd>
          </div>
          <div className="flex justify-between py-2 text-base">
            <dt className="font-semibold text-slate-900">Total</dt>
            <dd className="font-semibold text-slate-900">{formatMoney(pack.amount_minor, pack.currency)}</dd>
          </div>
        </dl>
        <form action="/api/checkout/test" method="post" className="mt-6 flex flex-col gap-3 sm:flex-row-reverse">
          <input type="hidden" name="package_id" value={pack.id} />
          <SubmitButton className="sm:flex-1" pendingLabel="Paying…">
            Pay {formatMoney(pack.amount_minor, pack.currency)} (test)
          </SubmitButton>
          <Link
            href="/wallet?checkout=cancelled"
            className="rounded-lg border border-slate-300 px-4 py-2 text-center text-sm font-semibold text-slate-800 hover:bg-slate-50 sm:flex-1"
          >
            Cancel
          </Link>
        </form>
      </section>
    </div>
  );
}
