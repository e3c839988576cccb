/**
 * Admin: one user's automatic top-up (server component), for /admin/users/<id>: the setting, the saved card,
 * this month against the limit, the run of failures, and the latest attempts with their PaymentIntents.
 */
import { LoadFailed, PageSection } from "@/components/page-section";
import { cardLabel } from "@/components/saved-card";
import { TopupAttemptsTable } from "@/components/topup-attempts-table";
import { getDb } from "@/lib/db";
import { getTopupStatus, type TopupStatusView } from "@/lib/db/rpc/topups";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";

export async function AdminUserTopups({ userId }: { userId: string }) {
  let status: TopupStatusView;
  try {
    status = await getTopupStatus(getDb(), userId, 20);
  } catch {
    return <LoadFailed what="Automatic top-up" />;
  }
  const { settings: s, card, attempts } = status;
  const rows: Array<[string, string]> = [
    ["Setting", s ? (s.enabled ? "On" : `Off${s.disabled_reason ? ` (${s.disabled_reason})` : ""}`) : "Never set up"],
    ["Saved card", card ? cardLabel(card) : "None"],
  ];
  if (s) {
    rows.push(
      [
        "Buys",
        `${s.package_name}: ${formatCredits(s.package_credits)} for ${formatMoney(s.package_amount_minor, s.currency)}`,
      ],
      ["Below", formatCredits(s.threshold)],
      [
        "This month",
        `${formatMoney(s.month_spent_minor, s.currency)} of ${formatMoney(s.monthly_limit_minor, s.currency)} (${s.month_count})`,
      ],
      [
        "Failures in a row",
        `${s.consecutive_failures}${s.last_failure_at ? `; last ${formatDateTime(s.last_failure_at)}: ${s.last_failure_reason}` : ""}`,
      ],
    );
  }
  return (
    <PageSection id="topups" title="Automatic top-up">
      <dl className="grid gap-x-6 gap-y-2 rounded-2xl border border-slate-200 bg-white p-5 text-sm shadow-sm sm:grid-cols-[auto_1fr]">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-600">{label}</dt>
            <dd className="font-medium text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
      {attempts.length > 0 && <TopupAttemptsTable attempts={attempts} admin />}
    </PageSection>
  );
}
