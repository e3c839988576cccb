// /settings: the account's settings: the low-balance alert, API keys, and the sessions signed in to it ("sign out everywhere").
import type { Metadata } from "next";
import Link from "next/link";
import { LowBalanceSettingsSection } from "@/components/low-balance-settings";
import { PageSection } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { SignOutEverywhere } from "@/components/sign-out-everywhere";
import { TopupSettingsSummary } from "@/components/topup-status-line";
import { requireUser } from "@/lib/auth";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { listApiKeys } from "@/lib/db/rpc/api-keys";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const session = await requireUser("/settings");
  let activeKeys: number | undefined;
  try {
    activeKeys = (await listApiKeys(getDb(), session.userId)).filter((k) => !k.revoked_at).length;
  } catch (e) {
    if (!(e instanceof DatabaseUnavailableError)) throw e;
  }

  return (
    <>
      <PageTitle title="Settings" lead={`Signed in as ${session.email}`} />

      <LowBalanceSettingsSection userId={session.userId} />

      <TopupSettingsSummary userId={session.userId} />

      <PageSection id="api-keys" title="API keys">
        <div className="flex flex-wrap items-center justify-between gap-4 rounded-2xl border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-sm">
          <p>
            Keys let your own code spend this account&apos;s credits through the API.{" "}
            {activeKeys === undefined
              ? "Your keys could not be counted just now."
              : activeKeys === 0
                ? "You have no active keys."
                : `You have ${activeKeys === 1 ? "one active key" : `${activeKeys} active keys`}.`}
          </p>
          <Link
            href="/settings/api-keys"
            className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700"
          >
            Create or revoke API keys
          </Link>
        </div>
      </PageSection>

      <div id="sessions" className="scroll-mt-6">
        <SignOutEverywhere activeKeys={activeKeys ?? 0} />
      </div>
    </>
  );
}
