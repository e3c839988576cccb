/**
 * A titled part of a page: a <section> named by its <h2> (so assistive tech lists it as a region),
 * and the three states of a list read from the database: could not be loaded, empty, or shown.
 */
import type { ReactNode } from "react";
import { EmptyState } from "./empty-state";
import { Notice } from "./notice";

export function PageSection({
  id,
  title,
  roomy = false,
  children,
}: {
  /** Prefix of the heading's id: "ledger" names the section by `#ledger-heading`. */
  id: string;
  title: ReactNode;
  /** More space between the heading and the content (for grids of cards). */
  roomy?: boolean;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-heading`} className={roomy ? "space-y-4" : "space-y-3"}>
      <h2 id={`${id}-heading`} className="text-xl font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** What a page shows where the database did not answer: no details, only what to do. */
export function LoadFailed({ what, children }: { what: string; children?: ReactNode }) {
  return (
    <Notice tone="error" title={`${what} could not be loaded`}>
      {children ?? "The database did not answer; reload this page in a moment."}
    </Notice>
  );
}

/**
 * A list read from the database: `undefined` means the read failed (LoadFailed), an empty list shows
 * `empty`, anything else is rendered by `children`.
 */
export function LoadedList<T>({
  items,
  what,
  empty,
  children,
}: {
  items: T[] | undefined;
  /** Plural noun for the failure notice: "Keys" → "Keys could not be loaded". */
  what: string;
  empty: { title: string; text?: ReactNode };
  children: (items: T[]) => ReactNode;
}) {
  if (!items) return <LoadFailed what={what} />;
  if (items.length === 0) return <EmptyState title={empty.title}>{empty.text}</EmptyState>;
  return children(items);
}
