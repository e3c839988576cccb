// /settings/top-up: automatic top-up (on/off, pack, threshold, monthly limit), the saved card, this month's
// top-ups against the limit, the last failure, and the latest top-ups. Mails about a failed top-up link here.
import type { Metadata } from "next";
import Link from "next/link";
import { ConfirmSubmit } from "@/components/confirm-submit";
import { Notice } from "@/components/notice";
import { LoadFailed, PageSection } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { SavedCardLine } from "@/components/saved-card";
import { SubmitButton } from "@/components/submit-button";
import { TopupAttemptsTable } from "@/components/topup-attempts-table";
import { TopupSettingsForm } from "@/components/topup-settings-form";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { listActivePackages, type CreditPackage } from "@/lib/db/rpc/credits";
import { getTopupStatus, type TopupStatusView } from "@/lib/db/rpc/topups";
import { formatDateTime, formatMoney } from "@/lib/format";
import { removeCardAction, saveTopupSettingsAction, testDeclineAction, turnOffTopupAction } from "@/lib/topups/actions";
import { moneyInput } from "@/lib/topups/money";
import { TOPUP_PAGE } from "@/lib/topups/pages";

export const metadata: Metadata = { title: "Automatic top-up" };
export const dynamic = "force-dynamic";

const DONE: Record<string, string> = {
  off: "Automatic top-up is off. Nothing will be bought until you turn it on again.",
  "card-removed": "Card removed. Automatic top-up is off until you save a card again.",
  "decline-on": "Test mode: the next automatic top-up will be declined.",
  "decline-off": "Test mode: the next automatic top-up will go through.",
};
const PROBLEMS: Record<string, string> = {
  unavailable: "The database did not answer. Please try again in a moment.",
  settings: "Save your settings first.",
};

/** Where a card is saved: buying a pack with the box ticked. */
const BUY_PAGE = "/wallet/buy";

export default async function TopupPage({
  searchParams,
}: {
  searchParams: Promise<{ done?: string; error?: string; card?: string }>;
}) {
  const session = await requireUser(TOPUP_PAGE);
  const search = await searchParams;
  const testMode = localCheckoutEnabled();
  let status: TopupStatusView | undefined;
  let packs: CreditPackage[] = [];
  try {
    [status, packs] = await Promise.all([getTopupStatus(getDb(), session.userId), listActivePackages(getDb())]);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
  }

  return (
    <>
      <PageTitle
        title="Automatic top-up"
        lead="Never run out of credits: when a spend leaves your balance below a threshold, we buy a pack with your saved card, up to a monthly limit."
      />
      {search.done && DONE[search.done] && <Notice tone="success">{DONE[search.done]}</Notice>}
      {search.error && <Notice tone="error">{PROBLEMS[search.error] ?? PROBLEMS.unavailable}</Notice>}
      {search.card === "saved" &&
        (status?.card ? (
          <Notice tone="success" title="Payment received, card saved">
            Your credits are in your wallet and the card is saved for automatic top-ups.
            {status.settings?.enabled ? "" : " Turn automatic top-up on below."}
          </Notice>
        ) : (
          <Notice tone="success" title="Payment received">
            Your card is saved for automatic top-ups as soon as the payment is confirmed, usually within seconds. Reload
            this page if it is not shown yet.
          </Notice>
        ))}
      {!status ? (
        <LoadFailed what="Your automatic top-up settings" />
      ) : (
        <Body status={status} packs={packs} testMode={testMode} />
      )}
    </>
  );
}

function Body({ status, packs, testMode }: { status: TopupStatusView; packs: CreditPackage[]; testMode: boolean }) {
  const { settings, card, attempts } = status;
  const defaultPack = packs.find((p) => p.id === settings?.package_id) ?? packs[0];
  const currency = settings?.currency ?? defaultPack?.currency ?? "usd";
  return (
    <>
      {settings?.enabled && (
        <section
          aria-labelledby="topup-on-heading"
          className="flex flex-wrap items-center justify-between gap-3 rounded-2xl border border-emerald-200 bg-emerald-50 px-5 py-4 text-sm"
        >
          <div>
            <h2 id="topup-on-heading" className="font-semibold text-emerald-900">
              Automatic top-up is on
            </h2>
            <p className="text-emerald-900">
              Buys {settings.package_name} for {formatMoney(settings.package_amount_minor, settings.currency)} when your
              balance falls below {settings.threshold.toLocaleString("en-US")} credits.
            </p>
          </div>
          <form action={turnOffTopupAction}>
            <SubmitButton
              pendingLabel="Turning off…"
              className="!bg-white !text-slate-900 ring-1 ring-slate-300 hover:!bg-slate-50"
            >
              Turn off automatic top-up
            </SubmitButton>
          </form>
        </section>
      )}
      {settings && !settings.enabled && settings.disabled_reason && (
        <Notice tone="warning" title="Automatic top-up turned itself off">
          Reason: {settings.disabled_reason}. Check your card, then turn it on again below.
        </Notice>
      )}

      <PageSection id="card" title="Saved card">
        <div className="space-y-3 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
          {card ? (
            <>
              <SavedCardLine card={card} />
              <p className="text-sm text-slate-600">
                Saved {formatDateTime(card.saved_at)}. We keep only Stripe&apos;s reference to it and its brand and last
                4 digits.
              </p>
              <form action={removeCardAction}>
                <ConfirmSubmit
                  label="Remove card"
                  question="Remove the saved card? Automatic top-up turns off until you save a card again."
                  confirmLabel="Yes, remove the card"
                  pendingLabel="Removing…"
                />
              </form>
            </>
          ) : (
            <p className="text-sm text-slate-700">
              No card is saved. Buy a pack with <strong>“Save this card for automatic top-ups”</strong> ticked and the
              card you pay with is kept for automatic top-ups.{" "}
              <Link href={BUY_PAGE} className="font-medium text-indigo-700 underline underline-offset-2">
                Buy a pack
              </Link>
            </p>
          )}
        </div>
      </PageSection>

      {settings && (
        <PageSection id="month" title="This month">
          <MonthUsage
            spent={settings.month_spent_minor}
            limit={settings.monthly_limit_minor}
            count={settings.month_count}
            currency={settings.currency}
          />
          {settings.last_failure_at && (
            <p className="text-sm text-slate-700">
              Last failure: {formatDateTime(settings.last_failure_at)}, {settings.last_failure_reason}
              {settings.consecutive_failures > 0
                ? ` (${settings.consecutive_failures} in a row; it turns off after 3)`
                : " (a top-up has succeeded since)"}
            </p>
          )}
        </PageSection>
      )}

      <PageSection id="settings" title="Settings">
        {defaultPack ? (
          <TopupSettingsForm
            action={saveTopupSettingsAction}
            packs={packs}
            hasCard={!!card}
            values={{
              enabled: settings?.enabled ?? !!card,
              packageId: defaultPack.id,
              threshold: settings?.threshold ?? 100,
              monthlyLimit: moneyInput(settings?.monthly_limit_minor ?? defaultPack.amount_minor * 4, currency),
            }}
          />
        ) : (
          <Notice tone="info">No pack is on sale right now, so automatic top-up cannot be set up.</Notice>
        )}
      </PageSection>

      {testMode && card?.test && settings && (
        <PageSection id="test-mode" title="Test mode">
          <form
            action={testDeclineAction}
            className="flex flex-wrap items-center justify-between gap-3 rounded-2xl border border-amber-200 bg-amber-50 p-5 text-sm text-amber-900"
          >
            <p>
              No real payment happens here: a top-up sends our webhook the event Stripe would send.{" "}
              {settings.test_decline_next
                ? "The next top-up will be declined."
                : "Make the next one fail to see what a declined card does."}
            </p>
            <input type="hidden" name="decline" value={settings.test_decline_next ? "0" : "1"} />
            <SubmitButton pendingLabel="Saving…" className="!bg-amber-700 hover:!bg-amber-800">
              {settings.test_decline_next ? "Let the next top-up succeed" : "Decline the next top-up"}
            </SubmitButton>
          </form>
        </PageSection>
      )}

      <PageSection id="attempts" title="Recent automatic top-ups">
        {attempts.length === 0 ? (
          <p className="rounded-2xl border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
            No automatic top-up yet.
          </p>
        ) : (
          <TopupAttemptsTable attempts={attempts} />
        )}
      </PageSection>
    </>
  );
}

function MonthUsage({
  spent,
  limit,
  count,
  currency,
}: {
  spent: number;
  limit: number;
  count: number;
  currency: string;
}) {
  const share = limit > 0 ? Math.min(100, Math.round((spent / limit) * 100)) : 0;
  return (
    <div className="space-y-2 rounded-2xl border border-slate-200 bg-white p-5 text-sm shadow-sm">
      <p className="text-slate-900">
        <span data-testid="topup-month" className="font-semibold">
          {formatMoney(spent, currency)} of {formatMoney(limit, currency)}
        </span>{" "}
        <span className="text-slate-600">
          ({count} automatic top-up{count === 1 ? "" : "s"} this calendar month, UTC)
        </span>
      </p>
      <div
        role="progressbar"
        aria-label="Monthly limit used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={share}
        className="h-2 overflow-hidden rounded-full bg-slate-100"
      >
        <div className="h-full rounded-full bg-indigo-500" style={{ width: `${share}%` }} />
      </div>
    </div>
  );
}
