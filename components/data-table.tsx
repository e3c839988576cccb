/**
 * The frame every table shares: scrolls sideways on narrow screens, a caption
 * for screen readers, and the header row. Rows are the caller's. `dense` is for
 * the admin's long lists.
 */
import type { ReactNode } from "react";

export interface Column {
  label: string;
  /** Right-aligned (amounts, counts, durations). */
  numeric?: boolean;
}

export function DataTable({
  caption,
  columns,
  dense = false,
  children,
}: {
  caption: string;
  columns: Column[];
  dense?: boolean;
  children: ReactNode;
}) {
  const cell = dense ? "px-3 py-2" : "px-4 py-3";
  return (
    // Focusable, so a keyboard can scroll a table wider than the screen (axe: scrollable-region-focusable).
    <div
      tabIndex={0}
      role="region"
      aria-label={caption}
      className="overflow-x-auto rounded-2xl border border-slate-200 bg-white focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((column) => (
              <th
                key={column.label}
                scope="col"
                className={`${cell} font-medium${column.numeric ? " text-right" : ""}`}
              >
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}
