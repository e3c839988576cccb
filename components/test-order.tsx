/**
 * The local test checkout's page body, for a pack or a plan: the warning that
 * nothing is charged, the order as a list of rows with its total, and the
 * form (or notice) the caller gives.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

export function TestOrder({
  what,
  title,
  rows,
  total,
  failed,
  children,
}: {
  /** "a successful card payment" / "… every period": what the test simulates. */
  what: string;
  title: string;
  rows: Array<[label: string, value: ReactNode]>;
  total: [label: string, value: string];
  /** Our webhook refused the test event(s) last time. */
  failed: boolean;
  children: ReactNode;
}) {
  return (
    <div className="mx-auto w-full max-w-lg space-y-6 px-4 py-10 sm:px-6">
      <Notice tone="warning" title="Test checkout: no real payment happens">
        This app has no Stripe account configured. Paying here simulates {what}: your card is not asked for and nothing
        is charged.
      </Notice>
      {failed && (
        <Notice tone="error" title="The test payment did not go through">
          Our payment webhook did not accept the test event. Check the server log, then try again.
        </Notice>
      )}

      <section aria-labelledby="order-heading" className="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 id="order-heading" className="text-xl font-semibold tracking-tight text-slate-900">
          {title}
        </h1>
        <dl className="mt-4 divide-y divide-slate-100 text-sm">
          {rows.map(([label, value]) => (
            <div key={label} className="flex justify-between py-2">
              <dt className="text-slate-600">{label}</dt>
              <dd className="truncate pl-4 font-medium text-slate-900">{value}</dd>
            </div>
          ))}
          <div className="flex justify-between py-2 text-base">
            <dt className="font-semibold text-slate-900">{total[0]}</dt>
            <dd className="font-semibold text-slate-900">{total[1]}</dd>
          </div>
        </dl>
        {children}
      </section>
    </div>
  );
}

/** Pay / Subscribe and Cancel: posts the order to the test checkout route. */
export function TestOrderForm({
  field,
  value,
  pendingLabel,
  fields,
  children,
}: {
  field: "package_id" | "plan_id";
  value: string;
  pendingLabel: string;
  /** More inputs above the buttons (e.g. "Save this card for automatic top-ups"). */
  fields?: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      action="/api/checkout/test"
      method="post"
      className="mt-6 flex flex-col gap-3 sm:flex-row-reverse sm:flex-wrap"
    >
      <input type="hidden" name={field} value={value} />
      {fields && <div className="w-full">{fields}</div>}
      <SubmitButton className="sm:flex-1" pendingLabel={pendingLabel}>
        {children}
      </SubmitButton>
      <Link
        href="/wallet/buy?checkout=cancelled"
        className="flex items-center justify-center rounded-lg border border-slate-300 px-4 py-2 text-center text-sm font-semibold text-slate-800 hover:bg-slate-50 sm:flex-1"
      >
        Cancel
      </Link>
    </form>
  );
}
