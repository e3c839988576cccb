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
  searchParams: Promise<{ package?: string; plan?: string; error?: string; save_card?: string }>;
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
      <TestOrderForm
        field="package_id"
        value={pack.id}
        pendingLabel="Paying…"
        fields={
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input
              type="checkbox"
              name="save_card"
              value="1"
              defaultChecked={search.save_card === "1"}
              className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
            />
            <span>
              Save this card for automatic top-ups
              <span className="block text-xs text-slate-500">
                In test mode a test card is saved; automatic top-ups then “charge” it the same way.
              </span>
            </span>
          </label>
        }
      >
        Pay {formatMoney(pack.amount_minor, pack.currency)} (test)
      </TestOrderForm>
    </TestOrder>
  );
}
