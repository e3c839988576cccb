/** A subscription's Stripe status in words a subscriber understands. */
const STATUSES: Record<string, { label: string; className: string }> = {
  active: { label: "Active", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  trialing: { label: "Trial", className: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  past_due: { label: "Past due", className: "bg-red-50 text-red-800 ring-red-200" },
  unpaid: { label: "Unpaid", className: "bg-red-50 text-red-800 ring-red-200" },
  incomplete: { label: "Awaiting payment", className: "bg-amber-50 text-amber-800 ring-amber-200" },
  incomplete_expired: { label: "Expired", className: "bg-slate-100 text-slate-700 ring-slate-200" },
  paused: { label: "Paused", className: "bg-slate-100 text-slate-700 ring-slate-200" },
  canceled: { label: "Cancelled", className: "bg-slate-100 text-slate-700 ring-slate-200" },
};

export function SubscriptionStatus({
  status,
  cancelAtPeriodEnd = false,
}: {
  status: string;
  cancelAtPeriodEnd?: boolean;
}) {
  const known = STATUSES[status] ?? { label: status, className: "bg-slate-100 text-slate-700 ring-slate-200" };
  const { label, className } =
    cancelAtPeriodEnd && status === "active"
      ? { label: "Cancels at period end", className: STATUSES.incomplete.className }
      : known;
  return (
    <span
      data-testid="subscription-status"
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${className}`}
    >
      {label}
    </span>
  );
}
