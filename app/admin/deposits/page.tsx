// /admin/deposits: assign Fireblocks deposit addresses to accounts, and see every assignment.
import type { Metadata } from "next";
import { DataTable } from "@/components/data-table";
import { Notice } from "@/components/notice";
import { LoadedList } from "@/components/page-section";
import { SubmitButton } from "@/components/submit-button";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { listCryptoRates, listDepositAddresses, type CryptoRate, type DepositAddress } from "@/lib/db/rpc/providers";
import { formatDateTime } from "@/lib/format";
import { assignDepositAddressAction } from "./actions";

export const metadata: Metadata = { title: "Deposit addresses" };
export const dynamic = "force-dynamic";

const PROBLEMS: Record<string, string> = {
  invalid: "Check the fields: an e-mail, an asset, and an address without spaces.",
  "no-account": "No account has that e-mail. The person must sign up first.",
  unconfirmed:
    "That account has not confirmed its e-mail yet. Deposit addresses go only to confirmed accounts, so that nobody who signed up with someone else's e-mail collects their deposits.",
  taken:
    "That address (in any letter case) already belongs to another account or asset. Addresses are never moved between accounts.",
  asset: "That asset has no credit rate, so deposits could not be credited.",
  unavailable: "The database did not answer. Please try again in a moment.",
};

const DONE: Record<string, string> = {
  assigned: "Address assigned. The user sees it on their wallet page now.",
  unchanged: "That address was already assigned to this account.",
};

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

type Props = { searchParams: Promise<{ error?: string; done?: string }> };

export default async function DepositsPage({ searchParams }: Props) {
  await requireAdmin("/admin/deposits");
  const { error, done } = await searchParams;
  let rates: CryptoRate[] = [];
  let addresses: DepositAddress[] | undefined;
  try {
    [rates, addresses] = await Promise.all([listCryptoRates(getDb()), listDepositAddresses(getDb(), null)]);
  } catch {
    addresses = undefined;
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Deposit addresses</h1>
        <p className="mt-1 text-sm text-slate-600">
          A completed Fireblocks transfer to an address below credits its owner at the asset&apos;s rate. Transfers to
          unassigned addresses are kept as failed events until an address is assigned and the event retried.
        </p>
      </div>

      {error && (
        <Notice tone="error" title="Not assigned">
          {PROBLEMS[error] ?? PROBLEMS.invalid}
        </Notice>
      )}
      {done && DONE[done] && <Notice tone="success">{DONE[done]}</Notice>}

      <form
        action={assignDepositAddressAction}
        className="grid gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm sm:grid-cols-[1fr_10rem_1.5fr_auto] sm:items-end"
      >
        <label className="block text-sm font-medium text-slate-700">
          Account e-mail
          <input
            name="email"
            type="email"
            required
            autoComplete="off"
            className={field}
            placeholder="user@example.com"
          />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Asset
          <select name="asset_id" required className={field} defaultValue={rates[0]?.asset_id}>
            {rates.map((r) => (
              <option key={r.asset_id} value={r.asset_id}>
                {r.asset_id} ({r.credits_per_unit} credits/unit)
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Deposit address
          <input
            name="address"
            required
            maxLength={200}
            pattern="\S+"
            spellCheck={false}
            autoComplete="off"
            className={`${field} font-mono`}
            placeholder="0x…"
          />
        </label>
        <SubmitButton pendingLabel="Assigning…">Assign</SubmitButton>
      </form>

      <LoadedList
        items={addresses}
        what="Addresses"
        empty={{ title: "No addresses assigned yet", text: "Assign one above; the buyer sees it on their wallet." }}
      >
        {(rows) => (
          <DataTable
            caption="Assigned deposit addresses"
            dense
            columns={[{ label: "Account" }, { label: "Asset" }, { label: "Address" }, { label: "Assigned" }]}
          >
            {rows.map((a) => (
              <tr key={a.address}>
                <td className="px-3 py-2 text-slate-900">{a.email}</td>
                <td className="px-3 py-2">{a.asset_id}</td>
                <td className="break-all px-3 py-2 font-mono text-xs text-slate-800">{a.address}</td>
                <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(a.created_at)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </LoadedList>
    </div>
  );
}
