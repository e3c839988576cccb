/** Keyset pagination controls: back to the newest page, and on to older rows. */
import Link from "next/link";

const linkClass =
  "rounded-md px-3 py-1.5 font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600";

/**
 * `newest`: the first page's address; `older`: the next page's, null on the last page.
 * `pageHref` builds both for the common case of a `?before=<cursor>` list.
 */
export function OlderLink({
  newest,
  older,
  isFirstPage,
}: {
  newest: string;
  older: string | null;
  isFirstPage: boolean;
}) {
  if (!older && isFirstPage) return null;
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
      {isFirstPage ? (
        <span />
      ) : (
        <Link href={newest} className={linkClass}>
          ← Newest
        </Link>
      )}
      {older && (
        <Link href={older} className={linkClass}>
          Older →
        </Link>
      )}
    </nav>
  );
}

/** The address of a `?before=<cursor>` page of `path` (the first page without a cursor). */
export const pageHref = (path: string, cursor?: string | null): string => (cursor ? `${path}?before=${cursor}` : path);
