/**
 * One line about automatic top-up for the wallet's overview: on or off, the card, what it buys and when, this
 * month's total against the limit, the last failure, a "Turn off automatic top-up" button right there when it
 * is on, and the link to its settings page.
 */
import Link from "next/link";
import { getDb } from "@/lib/db";
import { getTopupStatus, type TopupStatusView } from "@/lib/db/rpc/topups";
import { formatCredits, formatMoney } from "@/lib/format";
import { turnOffTopupAction } from "@/lib/topups/actions";
import { TOPUP_PAGE } from "@/lib/topups/pages";
import { LoadFailed, PageSection } from "./page-section";
import { cardPhrase } from "./saved-card";
import { SubmitButton } from "./submit-button";

/** Server component: reads the user's automatic top-up and shows its line. */
export async function TopupStatus({ userId }: { userId: string }) {
  let status: TopupStatusView;
  try {
    status = await getTopupStatus(getDb(), userId, 1);
  } catch {
    return <LoadFailed what="Automatic top-up" />;
  }
  return <TopupStatusLine status={status} />;
}

export function TopupStatusLine({ status }: { status: TopupStatusView }) {
  const s = status.settings;
  const on = s?.enabled === true;
  const card = cardPhrase(status.card);
  return (
    <section
      aria-labelledby="topup-status-heading"
      className="flex flex-wrap items-center justify-between gap-3 rounded-2xl border border-slate-200 bg-white px-5 py-4 text-sm shadow-sm"
    >
      <div className="min-w-0 space-y-1">
        <h2 id="topup-status-heading" className="font-semibold text-slate-900">
          Automatic top-up:{" "}
          <span data-testid="topup-state" className={on ? "text-emerald-700" : "text-slate-600"}>
            {on ? "on" : "off"}
          </span>
        </h2>
        <p className="text-slate-600">
          {on && s
            ? `Buys ${s.package_name} (${formatCredits(s.package_credits)}) with ${card} when your balance falls below ${formatCredits(s.threshold)}; ${formatMoney(s.month_spent_minor, s.currency)} of ${formatMoney(s.monthly_limit_minor, s.currency)} used this month.`
            : s?.disabled_reason
              ? `Turned off: ${s.disabled_reason}.`
              : "Never run out: buy a pack automatically when your balance runs low."}
        </p>
        {s?.last_failure_reason && s.consecutive_failures > 0 && (
          <p className="text-red-800">Last top-up failed: {s.last_failure_reason}</p>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {on && (
          <form action={turnOffTopupAction}>
            <input type="hidden" name="return_to" value="/wallet" />
            <SubmitButton
              pendingLabel="Turning off…"
              className="!bg-white !text-slate-900 ring-1 ring-slate-300 hover:!bg-slate-50"
            >
              Turn off automatic top-up
            </SubmitButton>
          </form>
        )}
        <Link
          href={TOPUP_PAGE}
          className="rounded-lg border border-slate-300 px-3 py-2 font-semibold text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {on ? "Manage automatic top-up" : "Set up automatic top-up"}
        </Link>
      </div>
    </section>
  );
}

/** The /settings section: where automatic top-up stands, and the way to its page. */
export async function TopupSettingsSummary({ userId }: { userId: string }) {
  let status: TopupStatusView | undefined;
  try {
    status = await getTopupStatus(getDb(), userId, 1);
  } catch {
    // said below, in place of the summary
  }
  const s = status?.settings;
  return (
    <PageSection id="top-up" title="Automatic top-up">
      <div className="flex flex-wrap items-center justify-between gap-4 rounded-2xl border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-sm">
        <p>
          {!status
            ? "Your automatic top-up setting could not be loaded just now."
            : s?.enabled
              ? `On: buys ${s.package_name} with ${cardPhrase(status.card)} when your balance falls below ${formatCredits(s.threshold)}.`
              : status.card
                ? `Off. ${cardPhrase(status.card).replace(/^your/, "Your")} is saved for it.`
                : "Off. Buy a pack with “Save this card for automatic top-ups” ticked, then turn it on."}
        </p>
        <Link
          href={TOPUP_PAGE}
          className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700"
        >
          Automatic top-up settings
        </Link>
      </div>
    </PageSection>
  );
}
