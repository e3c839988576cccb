/**
 * What the Buy page says after a checkout step that leaves nothing to see on the
 * overview: a cancelled or unavailable checkout, a crypto invoice that could not
 * open, or a subscription step (SubscriptionNotice).
 */
import { Notice } from "./notice";
import { SubscriptionNotice } from "./subscription-notice";

export interface BuySearch {
  checkout?: string;
  subscription?: string;
  crypto?: string;
}

/** Query values that belong on /wallet/buy: checkout return URLs name /wallet, which forwards these here. */
export function belongsOnBuyPage(search: BuySearch): boolean {
  return (
    ["cancelled", "unavailable", "paystack-unavailable", "subscribed"].includes(search.checkout ?? "") ||
    search.subscription !== undefined ||
    search.crypto !== undefined
  );
}

export function BuyNotices({ checkout, subscription, crypto }: BuySearch) {
  return (
    <>
      {checkout === "cancelled" && <Notice tone="info">Checkout cancelled. You were not charged.</Notice>}
      {checkout === "unavailable" && (
        <Notice tone="warning" title="Card payments are not configured">
          This site does not take card payments yet, so nothing was charged.
        </Notice>
      )}
      {checkout === "paystack-unavailable" && (
        <Notice tone="warning" title="Paystack did not answer">
          The payment could not be started, so nothing was charged. Please try again in a moment.
        </Notice>
      )}
      {crypto === "unavailable" && (
        <Notice tone="warning" title="Crypto payments are not configured">
          This site does not take crypto payments yet, so no invoice was opened.
        </Notice>
      )}
      {crypto === "unknown-pack" && (
        <Notice tone="error">That pack is not on sale any more, so no invoice was opened. Please pick another.</Notice>
      )}
      <SubscriptionNotice checkout={checkout} subscription={subscription} />
    </>
  );
}
