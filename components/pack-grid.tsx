/**
 * The packs on sale, as cards, with the test-mode warning when checkout is
 * simulated, or a plain notice when card payments are not configured (no
 * Stripe key, and the test checkout is off, as in production by default).
 */
import { cardPaymentsConfigured, localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { EmptyState } from "./empty-state";
import { Notice } from "./notice";
import { PackCard } from "./pack-card";

export function PackGrid({ packs, canBuy }: { packs: CreditPackage[]; canBuy: boolean }) {
  const cardPayments = cardPaymentsConfigured();
  return (
    <>
      {localCheckoutEnabled() && (
        <Notice tone="warning" title="Test mode">
          No real payment happens here: checkout is simulated and credits are free.
        </Notice>
      )}
      {!cardPayments && packs.length > 0 && (
        <Notice tone="info" title="Card payments are not configured">
          This site does not take card payments yet. Other payment methods, where offered below, still work.
        </Notice>
      )}
      {packs.length === 0 ? (
        <EmptyState title="No packs on sale right now">Please check back soon.</EmptyState>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {packs.map((pack) => (
            <PackCard key={pack.id} pack={pack} canBuy={canBuy} cardPayments={cardPayments} />
          ))}
        </div>
      )}
    </>
  );
}
