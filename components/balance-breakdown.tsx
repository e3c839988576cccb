/**
 * Under the balance: what can be spent now (available = balance − held), what open holds reserve, and what
 * expires in the next 30 days (with the first date), each with a sentence when it is zero. Three across when the
 * card is wide (the wallet), one under another in a narrow card (the admin page) or on a phone.
 */
import { formatCredits, formatDate } from "@/lib/format";

export interface BalanceBreakdownProps {
  available: number;
  held: number;
  /** Credits in unexpired lots whose expiry falls in the next 30 days, and the soonest such expiry. */
  expiring: { credits: number; soonest: Date | null };
  /** Who reads it: "you" on the wallet, "this account" on the admin page. */
  audience?: "owner" | "admin";
}

export function BalanceBreakdown({ available, held, expiring, audience = "owner" }: BalanceBreakdownProps) {
  const owner = audience === "owner";
  return (
    <div className="@container mt-5 border-t border-slate-100 pt-5">
      <dl className="grid gap-3 @lg:grid-cols-3">
        <Tile
          label="Available"
          testId="available"
          value={available}
          detail={held > 0 ? "Balance minus what holds reserve" : "All of the balance can be spent"}
        />
        <Tile
          label="Held"
          testId="held"
          value={held}
          detail={held > 0 ? "Reserved for work in progress until it is captured or released" : "No open holds"}
        />
        <Tile
          label="Expiring in 30 days"
          testId="expiring"
          value={expiring.credits}
          tone={expiring.credits > 0 ? "warning" : "neutral"}
          detail={
            expiring.credits > 0 && expiring.soonest
              ? `First on ${formatDate(expiring.soonest)}; spends use these first`
              : owner
                ? "None of your credits expire soon"
                : "None of these credits expire soon"
          }
        />
      </dl>
    </div>
  );
}

function Tile({
  label,
  testId,
  value,
  detail,
  tone = "neutral",
}: {
  label: string;
  testId: string;
  value: number;
  detail: string;
  tone?: "neutral" | "warning";
}) {
  const warning = tone === "warning";
  return (
    <div className={`rounded-xl px-4 py-3 ${warning ? "bg-amber-50 ring-1 ring-inset ring-amber-200" : "bg-slate-50"}`}>
      <dt className={`text-xs font-medium uppercase tracking-wide ${warning ? "text-amber-800" : "text-slate-500"}`}>
        {label}
      </dt>
      <dd
        data-testid={testId}
        data-credits={value}
        className={`mt-1 text-xl font-semibold tabular-nums ${warning ? "text-amber-900" : "text-slate-900"}`}
      >
        {formatCredits(value)}
      </dd>
      <dd className={`mt-0.5 text-xs ${warning ? "text-amber-800" : "text-slate-500"}`}>{detail}</dd>
    </div>
  );
}
