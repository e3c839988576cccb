/** A user's API keys: which is which (name, prefix), when made and last used, and a revoke button per active key. */
import type { ApiKeyRow, RevokedReason } from "@/lib/db/rpc/api-keys";
import { formatDateTime } from "@/lib/format";
import { DataTable } from "./data-table";

const REVOKED_BECAUSE: Record<RevokedReason, string> = {
  revoked_by_owner: "by you",
  password_changed: "because the password was changed",
  signed_out_everywhere: "when you signed out everywhere",
  account_disabled: "because the account was disabled",
};

interface Props {
  keys: ApiKeyRow[];
  revokeAction: (form: FormData) => Promise<void>;
}

export function ApiKeysTable({ keys, revokeAction }: Props) {
  return (
    <DataTable
      caption="Your API keys, active first"
      columns={[{ label: "Name" }, { label: "Key" }, { label: "Created" }, { label: "Last used" }, { label: "Status" }]}
    >
      {keys.map((k) => (
        <tr key={k.id} className={k.revoked_at ? "text-slate-400" : undefined}>
          <td className={`px-4 py-3 font-medium ${k.revoked_at ? "" : "text-slate-900"}`}>{k.name}</td>
          <td className="whitespace-nowrap px-4 py-3 font-mono text-xs">{k.prefix}…</td>
          <td className="whitespace-nowrap px-4 py-3">{formatDateTime(k.created_at)}</td>
          <td className="whitespace-nowrap px-4 py-3">{k.last_used_at ? formatDateTime(k.last_used_at) : "Never"}</td>
          <td className="px-4 py-3">
            {k.revoked_at ? (
              <span className="text-xs">
                Revoked {formatDateTime(k.revoked_at)}
                {k.revoked_reason && <span className="block text-slate-500">{REVOKED_BECAUSE[k.revoked_reason]}</span>}
              </span>
            ) : (
              <form action={revokeAction}>
                <input type="hidden" name="id" value={k.id} />
                <button
                  type="submit"
                  aria-label={`Revoke key ${k.name}`}
                  className="rounded-md border border-red-200 bg-white px-3 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600"
                >
                  Revoke
                </button>
              </form>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
