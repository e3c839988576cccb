/** The event types an endpoint receives, as labelled checkboxes in a fieldset. */
import { OUTGOING_EVENT_TYPES } from "@/lib/db/rpc/outgoing-webhooks";

const HELP: Record<(typeof OUTGOING_EVENT_TYPES)[number], string> = {
  "credits.granted": "a purchase or claimed grant added credits",
  "credits.reversed": "a refund or dispute took credits back",
  "balance.low": "a debit took a balance below its threshold",
  "balance.recovered": "a grant brought a low balance back",
  "hold.expired": "a hold expired without capture",
  "topup.succeeded": "an automatic top-up was paid",
  "topup.failed": "an automatic top-up was declined",
};

export function EventTypeChoices({
  legend,
  selected,
  idPrefix,
}: {
  legend: string;
  selected: readonly string[];
  idPrefix: string;
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        {OUTGOING_EVENT_TYPES.map((type) => (
          <label key={type} htmlFor={`${idPrefix}-${type}`} className="flex items-start gap-2 text-sm text-slate-700">
            <input
              id={`${idPrefix}-${type}`}
              type="checkbox"
              name="event_types"
              value={type}
              defaultChecked={selected.includes(type)}
              className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
            />
            <span>
              <span className="font-mono text-slate-900">{type}</span>
              <span className="block text-xs text-slate-500">{HELP[type]}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
