/** The card saved for automatic top-ups, as the user may see it: brand and last 4, or "test card". */
import type { SavedCard } from "@/lib/db/rpc/topups";

export function cardLabel(card: SavedCard): string {
  if (card.test) return "Test card (no real payment)";
  if (card.brand && card.last4)
    return `${card.brand.charAt(0).toUpperCase()}${card.brand.slice(1)} ending in ${card.last4}`;
  return "Card details are being read from Stripe";
}

/** The card inside a sentence: "your test card", "your Visa card ending in 4242". */
export function cardPhrase(card: SavedCard | null): string {
  if (!card) return "your saved card";
  if (card.test) return "your test card";
  if (card.brand && card.last4)
    return `your ${card.brand.charAt(0).toUpperCase()}${card.brand.slice(1)} card ending in ${card.last4}`;
  return "your saved card";
}

export function SavedCardLine({ card }: { card: SavedCard }) {
  return (
    <p className="flex items-center gap-3 text-sm text-slate-900">
      <span
        aria-hidden
        className="inline-flex h-7 w-11 items-center justify-center rounded-md border border-slate-300 bg-slate-50 text-[10px] font-semibold uppercase tracking-wide text-slate-600"
      >
        {card.test ? "test" : (card.brand ?? "card").slice(0, 4)}
      </span>
      <span data-testid="saved-card" className="font-medium">
        {cardLabel(card)}
      </span>
    </p>
  );
}
