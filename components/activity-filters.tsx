/** The activity page's filters: one link per filter (from lib/account/ledger-activity), the chosen one marked. */
import Link from "next/link";
import { LEDGER_FILTERS, type LedgerFilter } from "@/lib/account/ledger-activity";

export const activityHref = (filter?: LedgerFilter, before?: string): string => {
  const query = new URLSearchParams();
  if (filter) query.set("kind", filter);
  if (before) query.set("before", before);
  return query.size > 0 ? `/wallet/activity?${query}` : "/wallet/activity";
};

export function ActivityFilters({ current }: { current?: LedgerFilter }) {
  const choices = [{ id: undefined, label: "All" }, ...LEDGER_FILTERS];
  return (
    <nav aria-label="Filter activity">
      <ul className="flex flex-wrap gap-2 text-sm">
        {choices.map((choice) => {
          const chosen = choice.id === current;
          return (
            <li key={choice.label}>
              <Link
                href={activityHref(choice.id)}
                aria-current={chosen ? "page" : undefined}
                className={`inline-block rounded-full border px-3 py-1 font-medium ${
                  chosen
                    ? "border-indigo-600 bg-indigo-600 text-white"
                    : "border-slate-300 bg-white text-slate-700 hover:border-slate-400"
                }`}
              >
                {choice.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
