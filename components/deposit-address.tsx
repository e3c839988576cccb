/** The user's Fireblocks deposit addresses (server component): where to send crypto, and what it buys. */
import { LoadFailed, PageSection } from "@/components/page-section";
import { getDb } from "@/lib/db";
import { listDepositAddresses, type DepositAddress as Address } from "@/lib/db/rpc/providers";
import { formatCredits } from "@/lib/format";

function rate(address: Address): string {
  return address.credits_per_unit === null
    ? "rate not set"
    : `1 ${address.asset_id} = ${formatCredits(Math.floor(address.credits_per_unit))}`;
}

export async function DepositAddress({ userId }: { userId: string }) {
  let addresses: Address[];
  try {
    addresses = await listDepositAddresses(getDb(), userId);
  } catch {
    return <LoadFailed what="Deposit addresses" />;
  }
  return (
    <PageSection id="deposit" title="Deposit crypto">
      {addresses.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-4 py-4 text-sm text-slate-600">
          You have no deposit address yet. Once an admin assigns you one, it appears here; every completed transfer to
          it is credited automatically.
        </p>
      ) : (
        <ul className="space-y-2">
          {addresses.map((a) => (
            <li key={a.address} className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <span className="text-sm font-semibold text-slate-900">{a.asset_id}</span>
                <span className="text-xs text-slate-500">{rate(a)}</span>
              </div>
              <code
                className="mt-1 block break-all rounded bg-slate-50 px-2 py-1 font-mono text-sm text-slate-800"
                aria-label={`${a.asset_id} deposit address`}
              >
                {a.address}
              </code>
            </li>
          ))}
          <li className="text-xs text-slate-500">
            Send only the asset shown to each address. Credits arrive once the transfer completes.
          </li>
        </ul>
      )}
    </PageSection>
  );
}
