/** Keyset pagination controls: back to the newest page, and on to older rows. */
import Link from "next/link";

export function OlderLink({ path, next, isFirstPage }: { path: string; next: string | null; isFirstPage: boolean }) {
  if (!next && isFirstPage) return null;
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
      {isFirstPage ? (
        <span />
      ) : (
        <Link href={path} className="rounded-md px-3 py-1.5 font-medium text-indigo-700 hover:bg-indigo-50">
          ← Newest
        </Link>
      )}
      {next && (
        <Link
          href={`${path}?before=${next}`}
          className="rounded-md px-3 py-1.5 font-medium text-indigo-700 hover:bg-indigo-50"
        >
          Older →
        </Link>
      )}
    </nav>
  );
}
