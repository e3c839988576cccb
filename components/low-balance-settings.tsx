/**
 * The low-balance alert: its line on the /wallet overview and its section on
 * /settings, self-contained: each reads the user's settings itself, so a page
 * mounts it with the user id alone.
 */
import Link from "next/link";
import { getDb } from "@/lib/db";
import { getLowBalanceSettings, type LowBalanceSettings } from "@/lib/db/rpc/outgoing-webhooks";
import { formatCredits } from "@/lib/format";
import { saveLowBalanceThresholdAction } from "@/lib/low-balance/actions";
import { LowBalanceForm } from "./low-balance-form";
import { Notice } from "./notice";
import { LoadFailed, PageSection } from "./page-section";

async function load(userId: string): Promise<LowBalanceSettings | null | undefined> {
  try {
    return await getLowBalanceSettings(getDb(), userId);
  } catch {
    return undefined;
  }
}

const linkClass = "rounded font-medium text-indigo-700 underline-offset-2 hover:underline";

/**
 * The overview's low-balance line: the threshold with a link to change it (on /settings), and a
 * warning while the balance is below it.
 */
export async function LowBalanceOverview({ userId }: { userId: string }) {
  const settings = await load(userId);
  if (!settings) return null; // the overview's other parts say when the database is down
  const change = (
    <Link href="/settings#low-balance-heading" className={linkClass}>
      {settings.threshold === null ? "Set one up" : "Change"}
    </Link>
  );
  if (settings.below && settings.threshold !== null) {
    return (
      <Notice tone="warning" title="Your balance is low">
        You have {formatCredits(settings.balance)}, below your alert threshold of {formatCredits(settings.threshold)}.{" "}
        <Link href="/wallet/buy" className={linkClass}>
          Buy credits
        </Link>{" "}
        to keep spending without interruption · {change}
      </Notice>
    );
  }
  return (
    <p data-testid="low-balance-line" className="text-sm text-slate-600">
      {settings.threshold === null
        ? "Low-balance alert: off."
        : `Low-balance alert: we e-mail you when your balance drops below ${formatCredits(settings.threshold)}.`}{" "}
      {change}
    </p>
  );
}

export async function LowBalanceSettingsSection({ userId }: { userId: string }) {
  const settings = await load(userId);
  const threshold = settings?.threshold ?? null;
  const byDefault = settings?.source === "default" ? " (the site's default)" : "";
  return (
    <PageSection id="low-balance" title="Low-balance alert">
      {settings === undefined ? (
        <LoadFailed what="Your alert setting" />
      ) : (
        <>
          <p className="text-sm text-slate-600">
            {threshold !== null
              ? `On: we e-mail you when your balance drops below ${formatCredits(threshold)}${byDefault}.`
              : "Off: you get no e-mail when your balance runs low."}
          </p>
          <LowBalanceForm
            action={saveLowBalanceThresholdAction}
            threshold={threshold ?? settings?.default_threshold ?? null}
            on={threshold !== null}
          />
        </>
      )}
    </PageSection>
  );
}
