// /wallet/buy: everything that adds credits: packs (card, crypto, Paystack), monthly plans, and the deposit address.
import type { Metadata } from "next";
import { BuyNotices, type BuySearch } from "@/components/buy-notices";
import { DepositAddress } from "@/components/deposit-address";
import { PackGrid } from "@/components/pack-grid";
import { PageSection } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { PayWithCrypto } from "@/components/pay-with-crypto";
import { PayWithPaystack } from "@/components/pay-with-paystack";
import { PlansSection } from "@/components/plans-section";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { getDb } from "@/lib/db";
import { getWallet, listActivePackages } from "@/lib/db/rpc/credits";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Buy credits" };
export const dynamic = "force-dynamic";

export default async function BuyPage({ searchParams }: { searchParams: Promise<BuySearch> }) {
  const session = await requireUser("/wallet/buy");
  const search = await searchParams;
  const db = getDb();
  const [wallet, packs] = await Promise.all([getWallet(db, session.userId), listActivePackages(db)]);
  const balance = wallet?.balance ?? 0;

  return (
    <>
      <PageTitle title="Buy credits" lead="One-off packs, monthly plans, or a crypto deposit address.">
        <p className="text-sm text-slate-600">
          Balance:{" "}
          <span data-testid="balance" data-balance={balance} className="font-semibold text-slate-900 tabular-nums">
            {balance < 0 ? `−${formatCredits(-balance)}` : formatCredits(balance)}
          </span>
        </p>
      </PageTitle>

      <BuyNotices {...search} />

      <PageSection id="buy" title="Credit packs" roomy>
        <PackGrid packs={packs} canBuy />
        <PayWithCrypto packs={packs} />
        <PayWithPaystack packs={packs} />
      </PageSection>

      <PlansSection userId={session.userId} testMode={localCheckoutEnabled()} />

      <DepositAddress userId={session.userId} />
    </>
  );
}
