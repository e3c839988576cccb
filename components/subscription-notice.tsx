/** What /wallet says after a subscription step (?checkout=subscribed, ?subscription=renew|fail|pay|cancel|error). */
import { Notice } from "./notice";

const AFTER_ACTION: Record<string, { tone: "success" | "info" | "warning" | "error"; title: string; body: string }> = {
  renew: {
    tone: "success",
    title: "Next period started",
    body: "The renewal invoice was paid: this period's credits are in your balance.",
  },
  fail: {
    tone: "warning",
    title: "Renewal payment failed (test)",
    body: "The subscription is past due: no credits until the invoice is paid.",
  },
  pay: {
    tone: "success",
    title: "Overdue invoice paid",
    body: "The subscription is active again and this period's credits are in your balance.",
  },
  cancel: {
    tone: "info",
    title: "Subscription cancelled",
    body: "No further periods will be billed or credited. Credits you have keep.",
  },
  error: {
    tone: "error",
    title: "That did not go through",
    body: "Our payment webhook did not accept the test event. Check the server log, then try again.",
  },
};

export function SubscriptionNotice({ checkout, subscription }: { checkout?: string; subscription?: string }) {
  if (checkout === "subscribed") {
    return (
      <Notice tone="success" title="Subscribed">
        Your first period&apos;s credits appear in your balance as soon as Stripe confirms the payment, usually within
        seconds.
      </Notice>
    );
  }
  const after = subscription ? AFTER_ACTION[subscription] : undefined;
  if (!after) return null;
  return (
    <Notice tone={after.tone} title={after.title}>
      {after.body}
    </Notice>
  );
}
