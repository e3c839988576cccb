// Every purchase of the signed-in person, newest first.
import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/empty-state";
import { OlderLink, pageHref } from "@/components/older-link";
import { PageTitle } from "@/components/page-title";
import { PurchasesTable } from "@/components/purchases-table";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { decodeCursor, encodeCursor, listPurchases } from "@/lib/db/rpc/credits";

export const metadata: Metadata = { title: "Purchases" };
export const dynamic = "force-dynamic";

export default async function PurchasesPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const session = await requireUser("/purchases");
  const before = decodeCursor((await searchParams).before);
  const page = await listPurchases(getDb(), session.userId, { before });
  return (
    <>
      <PageTitle title="Purchases" lead="Every payment, its credits, and where it stands." />
      {page.rows.length === 0 ? (
        <EmptyState title={before ? "No older purchases" : "No purchases yet"}>
          {before ? (
            "You have reached your first purchase."
          ) : (
            <Link href="/wallet/buy" className="rounded font-medium text-indigo-700 hover:underline">
              Buy your first pack
            </Link>
          )}
        </EmptyState>
      ) : (
        <PurchasesTable purchases={page.rows} />
      )}
      <OlderLink
        newest="/purchases"
        older={page.next && pageHref("/purchases", encodeCursor(page.next))}
        isFirstPage={!before}
      />
    </>
  );
}
