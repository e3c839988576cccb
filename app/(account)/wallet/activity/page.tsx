// /wallet/activity: the whole credit ledger, newest first, filtered by kind, paged, and exportable as CSV.
import type { Metadata } from "next";
import Link from "next/link";
import { ActivityFilters, activityHref } from "@/components/activity-filters";
import { LedgerTable } from "@/components/ledger-table";
import { EmptyState } from "@/components/empty-state";
import { OlderLink } from "@/components/older-link";
import { LoadFailed } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { LEDGER_FILTER_LABELS, listActivity, parseLedgerFilter } from "@/lib/account/ledger-activity";
import { requireUser } from "@/lib/auth";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { decodeCursor, encodeCursor, type LedgerEntry, type Page } from "@/lib/db/rpc/credits";

export const metadata: Metadata = { title: "Activity" };
export const dynamic = "force-dynamic";

const linkClass = "rounded font-medium text-indigo-700 underline-offset-2 hover:underline";

export default async function ActivityPage({
  searchParams,
}: {
  searchParams: Promise<{ before?: string; kind?: string }>;
}) {
  const session = await requireUser("/wallet/activity");
  const search = await searchParams;
  const before = decodeCursor(search.before);
  const filter = parseLedgerFilter(search.kind);
  let page: Page<LedgerEntry> | undefined;
  try {
    page = await listActivity(getDb(), session.userId, { before, filter });
  } catch (e) {
    if (!(e instanceof DatabaseUnavailableError)) throw e;
  }
  const csvHref = filter ? `/wallet/activity.csv?kind=${filter}` : "/wallet/activity.csv";
  const what = filter ? LEDGER_FILTER_LABELS[filter].toLowerCase() : "entries";

  return (
    <>
      <PageTitle title="Activity" lead="Every change to your balance, newest first: what it was, why, and when.">
        <p className="flex flex-wrap gap-x-5 gap-y-2 text-sm">
          <a href={csvHref} className={linkClass} download>
            Download CSV
          </a>
          <Link href="/purchases" className={linkClass}>
            Purchases
          </Link>
        </p>
      </PageTitle>

      <section aria-labelledby="ledger-heading" className="space-y-4">
        <h2 id="ledger-heading" className="sr-only">
          Ledger
        </h2>
        <ActivityFilters current={filter} />
        {!page ? (
          <LoadFailed what="Activity" />
        ) : page.rows.length === 0 ? (
          <EmptyState title={before ? `No older ${what}` : filter ? `No ${what} yet` : "No credits yet"}>
            {before ? (
              "You have reached the beginning of your history."
            ) : (
              <Link href="/wallet/buy" className={linkClass}>
                Buy a pack
              </Link>
            )}
          </EmptyState>
        ) : (
          <LedgerTable entries={page.rows} />
        )}
        <OlderLink
          newest={activityHref(filter)}
          older={page?.next ? activityHref(filter, encodeCursor(page.next)) : null}
          isFirstPage={!before}
        />
      </section>
    </>
  );
}
