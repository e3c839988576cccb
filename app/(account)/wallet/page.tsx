// The signed-in person's balance, packs to buy, and credit ledger.
import type { Metadata } from "next";
import { BalanceCard } from "@/components/balance-card";
import { DepositAddress } from "@/components/deposit-address";
import { EmptyState } from "@/components/empty-state";
import { LedgerTable } from "@/components/ledger-table";
import { Notice } from "@/components/notice";
import { OlderLink, pageHref } from "@/components/older-link";
import { PackGrid } from "@/components/pack-grid";
import { PageTitle } from "@/components/page-title";
import { PayWithCrypto } from "@/components/pay-with-crypto";
import { PayWithPaystack } from "@/components/pay-with-paystack";
import { PlansSection } from "@/components/plans-section";
import { SubscriptionNotice } from "@/components/subscription-notice";
import { PageSection } from "@/components/page-section";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import {
  decodeCursor,
  encodeCursor,
  getWallet,
  listActivePackages,
  listCreditLedger,
  takeClaimNotices,
} from "@/lib/db/rpc/credits";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Wallet" };
export const dynamic = "force-dynamic";

interface Search {
  before?: string;
  checkout?: string;
  subscription?: string;
}

export default async function WalletPage({ searchParams }: { searchParams: Promise<Search> }) {
  const session = await requireUser("/wallet");
  const search = await searchParams;
  const before = decodeCursor(search.before);
  const db = getDb();
  const [wallet, packs, ledger, claimed] = await Promise.all([
    getWallet(db, session.userId),
    listActivePackages(db),
    listCreditLedger(db, session.userId, { before }),
    before ? Promise.resolve(null) : takeClaimNotices(db, session.userId),
  ]);

  return (
    <>
      <PageTitle title="Wallet" lead={`Signed in as ${session.email}`} />

      {claimed && claimed.credits > 0 && (
        <Notice tone="success" title="Welcome! Your earlier purchase is here.">
          {formatCredits(claimed.credits)} you paid for before creating your account{" "}
          {claimed.grants === 1 ? "was" : "were"} added to your balance.
        </Notice>
      )}
      {search.checkout === "success" && (
        <Notice tone="success" title="Payment received">
          Credits appear in your balance as soon as the payment is confirmed, usually within seconds.
        </Notice>
      )}
      {search.checkout === "cancelled" && <Notice tone="info">Checkout cancelled. You were not charged.</Notice>}
      {search.checkout === "unavailable" && (
        <Notice tone="warning" title="Card payments are not configured">
          This site does not take card payments yet, so nothing was charged.
        </Notice>
      )}
      {search.checkout === "paystack-unavailable" && (
        <Notice tone="warning" title="Paystack did not answer">
          The payment could not be started, so nothing was charged. Please try again in a moment.
        </Notice>
      )}
      <SubscriptionNotice checkout={search.checkout} subscription={search.subscription} />

      <BalanceCard balance={wallet?.balance ?? 0} />

      <PageSection id="buy" title="Buy credits" roomy>
        <PackGrid packs={packs} canBuy />
        <PayWithCrypto packs={packs} />
        <PayWithPaystack packs={packs} />
      </PageSection>

      <PlansSection userId={session.userId} testMode={localCheckoutEnabled()} />

      <DepositAddress userId={session.userId} />

      <PageSection id="ledger" title="Ledger" roomy>
        {ledger.rows.length === 0 ? (
          <EmptyState title={before ? "No older entries" : "No credits yet"}>
            {before ? "You have reached the beginning of your history." : "Buy a pack above and it will show up here."}
          </EmptyState>
        ) : (
          <LedgerTable entries={ledger.rows} />
        )}
        <OlderLink
          newest="/wallet"
          older={ledger.next && pageHref("/wallet", encodeCursor(ledger.next))}
          isFirstPage={!before}
        />
      </PageSection>
    </>
  );
}
