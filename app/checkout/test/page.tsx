// The local test checkout (no STRIPE_SECRET_KEY; in production only with LOCAL_TEST_CHECKOUT=1): shows the order; "Pay" sends our webhook a signed test event.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TestOrder, TestOrderForm } from "@/components/test-order";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { getDb } from "@/lib/db";
import { getActivePackage } from "@/lib/db/rpc/credits";
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
    <TestOrder
      what="a successful card payment"
      title="Your order"
      rows={[
        ["Pack", pack.name],
        ["Credits", formatCredits(pack.credits)],
        ["Account", session.email],
      ]}
      total={["Total", formatMoney(pack.amount_minor, pack.currency)]}
      failed={!!search.error}
    >
      <TestOrderForm field="package_id" value={pack.id} pendingLabel="Paying…">
        Pay {formatMoney(pack.amount_minor, pack.currency)} (test)
      </TestOrderForm>
    </TestOrder>
  );
}
