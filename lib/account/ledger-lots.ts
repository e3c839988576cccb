/**
 * Which credit lots a ledger row added to or took from, in words for the ledger tables: a debit says which lots
 * paid ("From promotional credits (expiring Dec 20, 2026)"), a grant names its lot when it is promotional or
 * expires, an expiry names the lot that expired.
 */
import type { LedgerEntry, LotMovement } from "@/lib/db/rpc/credits";
import { formatDate } from "@/lib/format";

function lotName(lot: LotMovement, when = "expiring"): string {
  const kind = lot.category === "promotional" ? "promotional credits" : "paid credits";
  return lot.expires_at ? `${kind} (${when} ${formatDate(lot.expires_at)})` : kind;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Which lots a row touched, in words: "From promotional credits (expiring Dec 20, 2026)" for a debit from one lot,
 * with amounts when it took from several; a grant names its lot only when it is promotional or expires. `lot_id` null is what
 * the account owed (a debt) rather than a lot.
 */
export function describeLots(entry: LedgerEntry): string | null {
  const lots = entry.lots;
  if (lots.length === 0) return null;
  if (entry.delta > 0) {
    const parts = lots.map((lot) =>
      lot.lot_id === null
        ? `${Math.abs(lot.amount).toLocaleString("en-US")} settled what was owed`
        : lot.category === "promotional" || lot.expires_at
          ? capitalised(lotName(lot))
          : null,
    );
    const said = parts.filter((part): part is string => part !== null);
    return said.length > 0 ? said.join(" · ") : null;
  }
  if (entry.kind === "expire") return lots[0].lot_id === null ? null : capitalised(lotName(lots[0], "expired"));
  const amount = (lot: LotMovement) => (lots.length === 1 ? "" : `${Math.abs(lot.amount).toLocaleString("en-US")} `);
  const taken = lots.filter((lot) => lot.lot_id !== null).map((lot) => `${amount(lot)}${lotName(lot)}`);
  const owed = lots.filter((lot) => lot.lot_id === null).map((lot) => `${amount(lot)}added to what is owed`);
  return [...(taken.length > 0 ? [`From ${taken.join(" + ")}`] : []), ...owed].join(" · ") || null;
}
