// /admin/users: find an account by e-mail; open it for its balance, history and manual adjustments.
import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { LoadedList } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { requireAdmin } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { findUsers, type UserSummary } from "@/lib/db/rpc/account-access";
import { formatCredits, formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

type Props = { searchParams: Promise<{ q?: string | string[] }> };

export default async function UsersPage({ searchParams }: Props) {
  await requireAdmin("/admin/users");
  const raw = (await searchParams).q;
  const query = (Array.isArray(raw) ? raw[0] : (raw ?? "")).trim().slice(0, 320);
  let users: UserSummary[] | undefined;
  try {
    users = await findUsers(getDb(), query);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError || error instanceof DatabaseError)) throw error;
  }

  return (
    <div className="space-y-5">
      <PageTitle
        title="Users"
        lead="Find an account by e-mail to see its balance, ledger, purchases and pending grants, or to adjust its credits."
      />

      <form
        role="search"
        action="/admin/users"
        className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      >
        <label className="block min-w-64 flex-1 text-sm font-medium text-slate-700">
          E-mail contains
          <input
            name="q"
            type="search"
            defaultValue={query}
            maxLength={320}
            autoComplete="off"
            placeholder="alice@example.com"
            className={field}
          />
        </label>
        <button
          type="submit"
          className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
        >
          Search
        </button>
        {query && (
          <Link
            href="/admin/users"
            className="rounded-lg px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100"
          >
            Clear
          </Link>
        )}
      </form>

      <LoadedList
        items={users}
        what="Accounts"
        empty={
          query
            ? {
                title: `No account's e-mail contains “${query}”.`,
                text: "Check the spelling, or search for part of the address.",
              }
            : { title: "No accounts yet.", text: "Accounts appear here as people sign up." }
        }
      >
        {(rows) => (
          <>
            <p className="text-sm text-slate-600">
              {query
                ? `${rows.length === 50 ? "First 50" : rows.length} matching ${rows.length === 1 ? "account" : "accounts"}`
                : "Newest accounts"}
            </p>
            <DataTable
              caption="Accounts"
              dense
              columns={[{ label: "E-mail" }, { label: "Balance", numeric: true }, { label: "Signed up" }]}
            >
              {rows.map((u) => (
                <tr key={u.id}>
                  <td className="px-3 py-2">
                    <Link href={`/admin/users/${u.id}`} className="font-medium text-indigo-700 hover:underline">
                      {u.email}
                    </Link>
                    {u.is_admin && (
                      <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600">
                        admin
                      </span>
                    )}
                  </td>
                  <td
                    className={`whitespace-nowrap px-3 py-2 text-right tabular-nums ${u.balance < 0 ? "text-red-700" : "text-slate-900"}`}
                  >
                    {formatCredits(u.balance)}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(u.created_at)}</td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </LoadedList>
    </div>
  );
}
