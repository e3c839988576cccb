// /wallet, the account overview: the balance (available, held, expiring soon), open holds, what just happened, the
// latest activity and the way to everything else.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { BalanceBreakdown } from "@/components/balance-breakdown";
import { BalanceCard } from "@/components/balance-card";
import { belongsOnBuyPage, type BuySearch } from "@/components/buy-notices";
import { HoldsSection } from "@/components/holds-table";
import { LedgerTable } from "@/components/ledger-table";
import { LowBalanceOverview } from "@/components/low-balance-settings";
import { Notice } from "@/components/notice";
import { LoadedList, PageSection } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { QuickBuy } from "@/components/quick-buy";
import { TopupStatus } from "@/components/topup-status-line";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import {
  getWallet,
  listActivePackages,
  listCreditLedger,
  takeClaimNotices,
  type LedgerEntry,
} from "@/lib/db/rpc/credits";
import { listCreditHolds } from "@/lib/db/rpc/holds";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Wallet" };
export const dynamic = "force-dynamic";

/** How many of the newest ledger rows the overview shows; the rest are on /wallet/activity. */
const RECENT_ROWS = 5;

const linkClass = "rounded font-medium text-indigo-700 underline-offset-2 hover:underline";

export default async function WalletOverviewPage({
  searchParams,
}: {
  searchParams: Promise<BuySearch & { before?: string; package?: string }>;
}) {
  const session = await requireUser("/wallet");
  const search = await searchParams;
  if (search.before) redirect(`/wallet/activity?before=${encodeURIComponent(search.before)}`);
  if (belongsOnBuyPage(search)) {
    const query = new URLSearchParams(
      Object.entries(search).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
    redirect(`/wallet/buy?${query}`);
  }
  const db = getDb();
  const [wallet, holds, claimed, packs] = await Promise.all([
    getWallet(db, session.userId),
    listCreditHolds(db, session.userId, { status: "active" }),
    takeClaimNotices(db, session.userId),
    listActivePackages(db),
  ]);
  let recent: LedgerEntry[] | undefined;
  try {
    recent = (await listCreditLedger(db, session.userId, { limit: RECENT_ROWS })).rows;
  } catch (e) {
    if (!(e instanceof DatabaseUnavailableError)) throw e;
  }

  return (
    <>
      <PageTitle title="Wallet" lead={`Signed in as ${session.email}`} />

      {claimed.credits > 0 && (
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
      {localCheckoutEnabled() && (
        <Notice tone="warning" title="Test mode">
          No real payment happens here: checkout is simulated and credits are free.
        </Notice>
      )}

      {/* The balance, then what is available, held and expiring soon. */}
      <div className="grid gap-4 md:grid-cols-[2fr_1fr]">
        <BalanceCard balance={wallet?.balance ?? 0}>
          <BalanceBreakdown
            available={wallet?.available ?? 0}
            held={wallet?.held ?? 0}
            expiring={{ credits: wallet?.expiring_30_days ?? 0, soonest: wallet?.next_expiry_at ?? null }}
          />
        </BalanceCard>
        <nav
          aria-label="Wallet shortcuts"
          className="rounded-2xl border border-slate-200 bg-white p-5 text-sm shadow-sm"
        >
          <ul className="space-y-2">
            <li>
              <Link href="/wallet/buy" className={linkClass}>
                Buy credits
              </Link>
            </li>
            <li>
              <Link href="/wallet/activity" className={linkClass}>
                See all activity
              </Link>
            </li>
            <li>
              <Link href="/settings/api-keys" className={linkClass}>
                Create an API key
              </Link>
            </li>
            <li>
              <Link href="/settings" className={linkClass}>
                Settings and sessions
              </Link>
            </li>
          </ul>
        </nav>
      </div>

      <LowBalanceOverview userId={session.userId} />

      <TopupStatus userId={session.userId} />

      <HoldsSection holds={holds} hideWhenEmpty />

      <PageSection id="quick-buy" title="Buy credits">
        <QuickBuy packs={packs} />
      </PageSection>

      <PageSection id="recent" title="Recent activity">
        <LoadedList
          items={recent}
          what="Activity"
          empty={{
            title: "No credits yet",
            text: (
              <Link href="/wallet/buy" className={linkClass}>
                Buy your first pack
              </Link>
            ),
          }}
        >
          {(rows) => <LedgerTable entries={rows} />}
        </LoadedList>
        <p className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          <Link href="/wallet/activity" className={linkClass}>
            See all activity →
          </Link>
          <Link href="/purchases" className={linkClass}>
            Purchases
          </Link>
        </p>
      </PageSection>
    </>
  );
}
