/**
 * Open holds: credits reserved by `POST /api/v1/holds` until the work they pay for is captured or released (or the
 * hold expires). On the admin page each row can be released, after a confirmation with a reason kept for admins.
 */
import { Badge, type BadgeTone } from "@/components/badge";
import { ConfirmSubmit } from "@/components/confirm-submit";
import { DataTable, type Column } from "@/components/data-table";
import { EmptyState } from "@/components/empty-state";
import type { CreditHold } from "@/lib/db/rpc/holds";
import { formatCredits, formatDateTime } from "@/lib/format";

export type HoldRow = Pick<CreditHold, "id" | "amount" | "reason" | "expires_at" | "created_at">;

interface Props {
  holds: HoldRow[];
  /** Admin only: the server action that releases a hold (form fields `user_id`, `hold_id`, `reason`). */
  release?: { action: (form: FormData) => Promise<void>; userId: string };
}

const field =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

export function HoldsTable({ holds, release }: Props) {
  const columns: Column[] = [
    { label: "Hold" },
    { label: "Credits", numeric: true },
    { label: "Expires" },
    { label: "Placed" },
    ...(release ? [{ label: "Release" }] : []),
  ];
  return (
    <DataTable caption="Open holds, newest first" columns={columns}>
      {holds.map((hold) => (
        <tr key={hold.id} className="align-top">
          <td className="min-w-40 px-4 py-3 text-slate-900">
            <span className="break-words">{hold.reason ?? "No reason given"}</span>
            <span className="block break-all font-mono text-xs text-slate-500">{hold.id}</span>
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-right font-medium tabular-nums text-slate-900">
            {hold.amount.toLocaleString("en-US")}
          </td>
          <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(hold.expires_at)}</td>
          <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(hold.created_at)}</td>
          {release && (
            <td className="min-w-56 px-4 py-3">
              <form action={release.action}>
                <input type="hidden" name="user_id" value={release.userId} />
                <input type="hidden" name="hold_id" value={hold.id} />
                <ConfirmSubmit
                  label="Release hold"
                  question={
                    <>
                      Release {formatCredits(hold.amount)}? They become available again at once, and a later capture of
                      this hold is refused.
                      <label className="mt-2 block text-sm font-medium text-slate-700">
                        Reason <span className="font-normal text-slate-500">(kept for admins)</span>
                        <input
                          name="reason"
                          required
                          maxLength={500}
                          autoComplete="off"
                          placeholder="e.g. Job crashed and never settled"
                          className={field}
                        />
                      </label>
                    </>
                  }
                  confirmLabel="Yes, release it"
                  pendingLabel="Releasing…"
                />
              </form>
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * The "Open holds" part of a page. The wallet leaves it out when there are none (`hideWhenEmpty`); the admin page
 * says so.
 */
export function HoldsSection({ holds, release, hideWhenEmpty = false }: Props & { hideWhenEmpty?: boolean }) {
  if (holds.length === 0 && hideWhenEmpty) return null;
  const held = holds.reduce((sum, hold) => sum + hold.amount, 0);
  return (
    <section aria-labelledby="holds-heading" className="space-y-3">
      <div>
        <h2 id="holds-heading" className="text-xl font-semibold text-slate-900">
          Open holds
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          {holds.length === 0
            ? "Credits reserved through the API for work whose cost is known at the end show here."
            : `${formatCredits(held)} reserved through the API. When the work ends, the part used is spent and the rest is freed; a hold nobody settles frees itself when it expires.`}
        </p>
      </div>
      {holds.length === 0 ? <EmptyState title="No open holds" /> : <HoldsTable holds={holds} release={release} />}
    </section>
  );
}

const OUTCOME: Record<Exclude<CreditHold["status"], "active">, { label: string; tone: BadgeTone }> = {
  captured: { label: "Captured", tone: "good" },
  released: { label: "Released", tone: "neutral" },
  expired: { label: "Expired", tone: "waiting" },
};

/**
 * Admin: how an account's recent holds ended: captured (how much), released (through the API, or by which admin and
 * why) or expired unsettled.
 */
export function SettledHoldsTable({ holds }: { holds: CreditHold[] }) {
  return (
    <DataTable
      caption="Settled holds, newest first"
      dense
      columns={[
        { label: "Hold" },
        { label: "Held", numeric: true },
        { label: "Outcome" },
        { label: "Settled" },
        { label: "Placed" },
      ]}
    >
      {holds.map((hold) => {
        const outcome = OUTCOME[hold.status as keyof typeof OUTCOME];
        return (
          <tr key={hold.id} className="align-top">
            <td className="min-w-40 px-3 py-2 text-slate-900">
              <span className="break-words">{hold.reason ?? "No reason given"}</span>
              <span className="block break-all font-mono text-xs text-slate-500">{hold.id}</span>
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
              {hold.amount.toLocaleString("en-US")}
            </td>
            <td className="min-w-40 px-3 py-2">
              <Badge tone={outcome.tone}>
                {outcome.label}
                {hold.status === "captured" && hold.captured !== null && ` ${hold.captured.toLocaleString("en-US")}`}
              </Badge>
              {hold.status === "released" && (
                <span className="mt-1 block text-xs text-slate-600">
                  {hold.released_by_email ? `by ${hold.released_by_email}` : "through the API"}
                  {hold.release_reason && <> · {hold.release_reason}</>}
                </span>
              )}
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-slate-600">
              {formatDateTime(hold.settled_at ?? hold.expires_at)}
            </td>
            <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatDateTime(hold.created_at)}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
