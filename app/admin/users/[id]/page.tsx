// /admin/users/[id]: one account: balance, open holds (release), credit lots, ledger, purchases, pending grants, and
// manual grant (paid or promotional, optionally expiring) / deduct with a reason.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BalanceBreakdown } from "@/components/balance-breakdown";
import { BalanceCard } from "@/components/balance-card";
import { DataTable } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import { HoldsSection, SettledHoldsTable } from "@/components/holds-table";
import { LedgerTable } from "@/components/ledger-table";
import { Notice } from "@/components/notice";
import { OlderLink, pageHref } from "@/components/older-link";
import { AccountAccess } from "@/components/admin/account-access";
import { CreditLotsTable } from "@/components/admin/credit-lots-table";
import { AdminUserSubscription } from "@/components/admin/user-subscription";
import { AdminUserTopups } from "@/components/admin/user-topups";
import { PageTitle } from "@/components/page-title";
import { PurchasesTable } from "@/components/purchases-table";
import { SubmitButton } from "@/components/submit-button";
import { PageSection } from "@/components/page-section";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getUser } from "@/lib/db/rpc/account-access";
import {
  decodeCursor,
  encodeCursor,
  getWallet,
  listCreditLedger,
  listCreditLots,
  listPurchases,
  listPendingGrantsForUser,
} from "@/lib/db/rpc/credits";
import { listCreditHolds } from "@/lib/db/rpc/holds";
import { uuid } from "@/lib/db/scalars";
import { formatCredits, formatDateTime } from "@/lib/format";
import { adjustCreditsAction, releaseHoldAction, setAccountDisabledAction } from "../actions";

export const metadata: Metadata = { title: "User" };
export const dynamic = "force-dynamic";

const PROBLEMS: Record<string, string> = {
  invalid: "Check the fields: a whole number of credits above zero, grant or deduct, and a reason.",
  insufficient:
    "The deduction is larger than the balance available to deduct (held credits cannot be). A balance is never taken below zero by hand.",
  expiry: "The expiry date must be today or later: the credits expire at the end of that day (UTC).",
  "invalid-release": "Give a reason for releasing the hold. Nothing was changed.",
  "hold-not-active": "That hold was already captured or had expired, so there was nothing to release.",
  "hold-not-found": "That hold does not belong to this account.",
  "not-admin": "Your account is not marked as an admin in the database yet. Sign out and in again, then retry.",
  "no-wallet": "This account has no wallet.",
  unavailable: "The database did not answer. Nothing was changed; please try again in a moment.",
  "invalid-access": "That request to disable or enable the account was not understood. Nothing was changed.",
  "own-account": "You cannot disable your own account; another admin can.",
};

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ error?: string; done?: string; amount?: string; before?: string }>;
};

export default async function UserPage({ params, searchParams }: Props) {
  const admin = await requireAdmin("/admin/users");
  const { id } = await params;
  if (!uuid.safeParse(id).success) notFound();
  const search = await searchParams;
  const before = decodeCursor(search.before);
  const db = getDb();
  const user = await getUser(db, id);
  if (!user) notFound();
  const [wallet, holds, recentHolds, lots, ledger, purchases, grants] = await Promise.all([
    getWallet(db, id),
    listCreditHolds(db, id, { status: "active" }),
    listCreditHolds(db, id, { limit: 20 }),
    listCreditLots(db, id),
    listCreditLedger(db, id, { before }),
    listPurchases(db, id, { limit: 50 }),
    listPendingGrantsForUser(db, id),
  ]);
  const amount = Number(search.amount);
  const path = `/admin/users/${id}`;
  const today = new Date().toISOString().slice(0, 10);
  const settledHolds = recentHolds.filter((hold) => hold.status !== "active");

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <Link href="/admin/users" className="text-sm font-medium text-indigo-700 hover:underline">
          ← All users
        </Link>
        <PageTitle
          title={user.email}
          lead={`Signed up ${formatDateTime(user.created_at)}${user.is_admin ? " · admin" : ""}${user.disabled ? " · disabled" : ""} · ${user.id}`}
        />
      </div>

      {search.error && (
        <Notice tone="error" title="Nothing was changed">
          {PROBLEMS[search.error] ?? PROBLEMS.invalid}
        </Notice>
      )}
      {search.done === "disabled" && (
        <Notice tone="success" title="Account disabled">
          Its sessions ended and its API keys were revoked; it cannot sign in until you enable it again.
        </Notice>
      )}
      {search.done === "enabled" && (
        <Notice tone="success" title="Account enabled">
          It can sign in again. Its earlier API keys stay revoked.
        </Notice>
      )}
      {(search.done === "granted" || search.done === "deducted") && Number.isSafeInteger(amount) && (
        <Notice tone="success">
          {search.done === "granted" ? "Granted" : "Deducted"} {formatCredits(amount)}. The ledger below shows the
          adjustment with your reason.
        </Notice>
      )}
      {search.done === "released" && Number.isSafeInteger(amount) && (
        <Notice tone="success" title="Hold released">
          {formatCredits(amount)} are available to the account again. A capture of that hold is now refused.
        </Notice>
      )}

      <div className="grid gap-6 lg:grid-cols-[1fr_1.4fr] lg:items-start">
        <BalanceCard balance={wallet?.balance ?? user.balance}>
          {wallet && (
            <BalanceBreakdown
              audience="admin"
              available={wallet.available}
              held={wallet.held}
              expiring={{ credits: wallet.expiring_30_days, soonest: wallet.next_expiry_at }}
            />
          )}
        </BalanceCard>
        <section
          aria-labelledby="adjust-heading"
          className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm"
        >
          <h2 id="adjust-heading" className="font-semibold text-slate-900">
            Grant or deduct credits
          </h2>
          <form action={adjustCreditsAction} className="mt-3 grid gap-3 sm:grid-cols-[10rem_1fr]">
            <input type="hidden" name="user_id" value={user.id} />
            <label className="block text-sm font-medium text-slate-700">
              Action
              <select name="direction" required defaultValue="grant" className={field}>
                <option value="grant">Grant</option>
                <option value="deduct">Deduct</option>
              </select>
            </label>
            <label className="block text-sm font-medium text-slate-700">
              Credits
              <input
                name="amount"
                type="number"
                inputMode="numeric"
                required
                min={1}
                max={999_999_999_999_999}
                step={1}
                className={`${field} tabular-nums`}
              />
            </label>
            <label className="block text-sm font-medium text-slate-700">
              Category <span className="font-normal text-slate-500">(grants)</span>
              <select name="category" defaultValue="promotional" className={field}>
                <option value="promotional">Promotional</option>
                <option value="paid">Paid</option>
              </select>
            </label>
            <label className="block text-sm font-medium text-slate-700">
              Expires after{" "}
              <span className="font-normal text-slate-500">
                (grants, optional; what is left expires at the end of this day, UTC)
              </span>
              <input name="expires_on" type="date" min={today} className={field} />
            </label>
            <label className="block text-sm font-medium text-slate-700 sm:col-span-2">
              Reason{" "}
              <span className="font-normal text-slate-500">
                (required; the user sees it on their ledger, with your e-mail kept for admins)
              </span>
              <input
                name="reason"
                required
                maxLength={500}
                autoComplete="off"
                placeholder="e.g. Goodwill credit for the 21 Nov outage"
                className={field}
              />
            </label>
            <div className="sm:col-span-2">
              <SubmitButton pendingLabel="Saving…">Apply adjustment</SubmitButton>
            </div>
          </form>
        </section>
      </div>

      <AccountAccess user={user} isSelf={user.id === admin.userId} action={setAccountDisabledAction} />

      <AdminUserSubscription userId={id} />

      <AdminUserTopups userId={id} />

      <HoldsSection holds={holds} release={{ action: releaseHoldAction, userId: id }} />

      {settledHolds.length > 0 && (
        <PageSection id="settled-holds" title="Settled holds">
          <SettledHoldsTable holds={settledHolds} />
          <p className="text-sm text-slate-500">Of this account&apos;s 20 newest holds.</p>
        </PageSection>
      )}

      <PageSection id="lots" title="Credit lots">
        <p className="text-sm text-slate-600">
          Every grant is a lot; spends, captures and deductions take from the soonest-expiring first (never-expiring
          last), promotional before paid, then the oldest. What a lot still holds at its expiry is written off.
        </p>
        {lots.length === 0 ? (
          <EmptyState title="No credit lots">Purchases, plans and grants to this account add lots here.</EmptyState>
        ) : (
          <CreditLotsTable lots={lots} />
        )}
      </PageSection>

      <PageSection id="ledger" title="Ledger">
        {ledger.rows.length === 0 ? (
          <EmptyState title={before ? "No older entries" : "No credit changes yet"} />
        ) : (
          <LedgerTable entries={ledger.rows} showAdmin />
        )}
        <OlderLink
          newest={path}
          older={ledger.next && pageHref(path, encodeCursor(ledger.next))}
          isFirstPage={!before}
        />
      </PageSection>

      <PageSection id="purchases" title="Purchases">
        {purchases.rows.length === 0 ? (
          <EmptyState title="No purchases" />
        ) : (
          <PurchasesTable purchases={purchases.rows} />
        )}
        {purchases.next && <p className="text-sm text-slate-500">Showing the newest 50.</p>}
      </PageSection>

      <PageSection id="grants" title="Pending grants">
        {grants.length === 0 ? (
          <EmptyState title="No pending grants">
            Credits bought with this e-mail before the account existed would show here.
          </EmptyState>
        ) : (
          <DataTable
            caption="Pending credit grants for this e-mail"
            dense
            columns={[
              { label: "Filed" },
              { label: "E-mail" },
              { label: "Credits", numeric: true },
              { label: "Claimed" },
            ]}
          >
            {grants.map((g) => (
              <tr key={g.id}>
                <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(g.created_at)}</td>
                <td className="px-3 py-2">{g.email}</td>
                <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                  {g.credits.toLocaleString("en-US")}
                </td>
                <td className="whitespace-nowrap px-3 py-2 text-slate-600">
                  {g.claimed_at ? formatDateTime(g.claimed_at) : "Waiting"}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </PageSection>
    </div>
  );
}
