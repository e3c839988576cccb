// Marks an event recorded by Stripe reconciliation (fetched from the events API) rather than delivered.
export function ReconciledBadge() {
  return (
    <span
      className="inline-flex items-center rounded-full bg-sky-50 px-2 py-0.5 text-xs font-medium text-sky-800 ring-1 ring-inset ring-sky-600/20"
      title="Never delivered to the webhook route: recovered from the provider's events API by reconciliation"
    >
      reconciled
    </span>
  );
}
