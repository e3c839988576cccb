/** The packs on sale, as cards, with the test-mode warning when checkout is simulated. */
import type { CreditPackage } from "@/lib/db/rpc/account";
import { getEnv } from "@/lib/env";
import { EmptyState } from "./empty-state";
import { Notice } from "./notice";
import { PackCard } from "./pack-card";

export function PackGrid({ packs, canBuy }: { packs: CreditPackage[]; canBuy: boolean }) {
  return (
    <>
      {getEnv().localCheckout && (
        <Notice tone="warning" title="Test mode">
          No real payment happens here: checkout is simulated and credits are free.
        </Notice>
      )}
      {packs.length === 0 ? (
        <EmptyState title="No packs on sale right now">Please check back soon.</EmptyState>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {packs.map((pack) => (
            <PackCard key={pack.id} pack={pack} canBuy={canBuy} />
          ))}
        </div>
      )}
    </>
  );
}
