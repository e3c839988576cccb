import Link from "next/link";
import { METRICS_WINDOWS, type MetricsWindowKey } from "@/lib/admin/metrics-window";

export function WindowChooser({ current }: { current: MetricsWindowKey }) {
  return (
    <nav aria-label="Time window" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5 shadow-sm">
      {(Object.keys(METRICS_WINDOWS) as MetricsWindowKey[]).map((key) => (
        <Link
          key={key}
          href={`/admin/metrics?window=${key}`}
          aria-current={key === current ? "page" : undefined}
          className={`rounded px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-600 ${
            key === current ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
          }`}
        >
          {METRICS_WINDOWS[key].label}
        </Link>
      ))}
    </nav>
  );
}
