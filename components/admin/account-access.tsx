/**
 * Admin: whether an account may use the site, for /admin/users/<id>. Shows
 * whether the address is confirmed and whether the account is disabled (when,
 * by whom, why), and disables or enables it, each after a confirmation.
 * Disabling ends every session and revokes every API key of the account; it
 * cannot sign in until enabled again, and its keys stay revoked.
 */
import { Badge } from "@/components/badge";
import { ConfirmSubmit } from "@/components/confirm-submit";
import type { UserDetail } from "@/lib/db/rpc/account-access";
import { formatDateTime } from "@/lib/format";

interface Props {
  user: UserDetail;
  /** Whether the viewing admin is this account (an admin cannot disable their own). */
  isSelf: boolean;
  action: (form: FormData) => Promise<void>;
}

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export function AccountAccess({ user, isSelf, action }: Props) {
  const keys = user.active_api_keys === 1 ? "its API key" : `its ${user.active_api_keys} API keys`;
  return (
    <section aria-labelledby="access-heading" className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="access-heading" className="font-semibold text-slate-900">
          Access
        </h2>
        {user.disabled ? (
          <Badge tone="bad" testId="account-status">
            Disabled
          </Badge>
        ) : (
          <Badge tone="good" testId="account-status">
            Active
          </Badge>
        )}
        <Badge tone={user.email_confirmed ? "good" : "waiting"}>
          {user.email_confirmed ? "E-mail confirmed" : "E-mail not confirmed"}
        </Badge>
      </div>

      {user.disabled ? (
        <div className="mt-3 space-y-3 text-sm text-slate-700">
          <p>
            Disabled
            {user.disabled_at && <> on {formatDateTime(user.disabled_at)}</>}
            {user.disabled_by_email && <> by {user.disabled_by_email}</>}.
            {user.disabled_reason && (
              <>
                {" "}
                Reason: <q className="text-slate-900">{user.disabled_reason}</q>.
              </>
            )}{" "}
            It cannot sign in, and its sessions and API keys were ended when it was disabled.
          </p>
          <form action={action}>
            <input type="hidden" name="user_id" value={user.id} />
            <input type="hidden" name="disabled" value="false" />
            <ConfirmSubmit
              tone="neutral"
              label="Enable account"
              question="The account can sign in again. Its revoked API keys stay revoked: the owner creates new ones."
              confirmLabel="Yes, enable it"
              pendingLabel="Enabling…"
            />
          </form>
        </div>
      ) : isSelf ? (
        <p className="mt-3 text-sm text-slate-600">This is your own account: another admin can disable it.</p>
      ) : (
        <form action={action} className="mt-3 space-y-3">
          <input type="hidden" name="user_id" value={user.id} />
          <input type="hidden" name="disabled" value="true" />
          <p className="text-sm text-slate-700">
            Disabling signs the account out everywhere, revokes {user.active_api_keys === 0 ? "any API key" : keys} at
            once and refuses its sign-ins until you enable it again. Its balance and history stay as they are.
          </p>
          <label className="block text-sm font-medium text-slate-700">
            Reason for disabling <span className="font-normal text-slate-500">(optional; kept for admins)</span>
            <input
              name="reason"
              maxLength={500}
              autoComplete="off"
              placeholder="e.g. Card testing from this account"
              className={field}
            />
          </label>
          <ConfirmSubmit
            label="Disable account"
            question={`Disable ${user.email}? Every session ends and ${user.active_api_keys === 0 ? "no key is active" : `${keys} stop working`}.`}
            confirmLabel="Yes, disable it"
            pendingLabel="Disabling…"
          />
        </form>
      )}
    </section>
  );
}
