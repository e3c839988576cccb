/** A subscription's Stripe status in words a subscriber understands. */
import { Badge, type BadgeTone } from "./badge";

const STATUSES: Record<string, { label: string; tone: BadgeTone }> = {
  active: { label: "Active", tone: "good" },
  trialing: { label: "Trial", tone: "good" },
  past_due: { label: "Past due", tone: "bad" },
  unpaid: { label: "Unpaid", tone: "bad" },
  incomplete: { label: "Awaiting payment", tone: "waiting" },
  incomplete_expired: { label: "Expired", tone: "neutral" },
  paused: { label: "Paused", tone: "neutral" },
  canceled: { label: "Cancelled", tone: "neutral" },
};

export function SubscriptionStatus({
  status,
  cancelAtPeriodEnd = false,
}: {
  status: string;
  cancelAtPeriodEnd?: boolean;
}) {
  const { label, tone } =
    cancelAtPeriodEnd && status === "active"
      ? { label: "Cancels at period end", tone: "waiting" as const }
      : (STATUSES[status] ?? { label: status, tone: "neutral" as const });
  return (
    <Badge tone={tone} testId="subscription-status">
      {label}
    </Badge>
  );
}
