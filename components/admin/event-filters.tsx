// The event log's filter form: a plain GET form, so filters live in the URL (shareable, back button works).
import Link from "next/link";
import type { ReactNode } from "react";
import { KNOWN_EVENT_TYPES, hasFilters, type SearchValues } from "@/lib/admin/event-search";
import { EVENT_STATUSES } from "@/lib/db/rpc/webhook-events";
import { PROVIDERS } from "@/lib/providers/names";

const field =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500";
const label = "block text-xs font-medium text-slate-600";

/** One labelled field of the form; its control has the id `filter-<name>`. */
function FilterField({
  name,
  label: text,
  wide = false,
  children,
}: {
  name: string;
  label: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={wide ? "sm:col-span-2" : undefined}>
      <label htmlFor={`filter-${name}`} className={label}>
        {text}
      </label>
      {children}
    </div>
  );
}

/** A choice among known values, with an "all" option that leaves the filter out of the URL. */
function SelectFilter({
  name,
  label: text,
  all,
  options,
  value,
}: {
  name: string;
  label: string;
  all: string;
  options: readonly string[];
  value: string | undefined;
}) {
  return (
    <FilterField name={name} label={text}>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ""} className={field}>
        <option value="">{all}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </FilterField>
  );
}

export function EventFilters({ values }: { values: SearchValues }) {
  return (
    <form
      method="get"
      action="/admin/events"
      role="search"
      aria-label="Filter events"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-6">
        <FilterField name="q" label="Event id, e-mail or external id" wide>
          <input
            id="filter-q"
            name="q"
            type="search"
            defaultValue={values.q}
            placeholder="evt_…, buyer@example.com, pi_…"
            className={field}
          />
        </FilterField>
        <SelectFilter
          name="provider"
          label="Provider"
          all="All providers"
          options={PROVIDERS}
          value={values.provider}
        />
        <SelectFilter name="status" label="Status" all="All statuses" options={EVENT_STATUSES} value={values.status} />
        <FilterField name="type" label="Type" wide>
          <input
            id="filter-type"
            name="type"
            list="known-event-types"
            defaultValue={values.type}
            placeholder="any type"
            className={field}
          />
          <datalist id="known-event-types">
            {KNOWN_EVENT_TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </FilterField>
        <FilterField name="from" label="From (UTC)">
          <input id="filter-from" name="from" type="date" defaultValue={values.from} className={field} />
        </FilterField>
        <FilterField name="to" label="To (UTC, inclusive)">
          <input id="filter-to" name="to" type="date" defaultValue={values.to} className={field} />
        </FilterField>
        <div className="flex items-end gap-3 sm:col-span-2 lg:col-span-4 lg:justify-end">
          {hasFilters(values) ? (
            <Link
              href="/admin/events"
              className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              Clear filters
            </Link>
          ) : null}
          <button
            type="submit"
            className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            Apply filters
          </button>
        </div>
      </div>
    </form>
  );
}
