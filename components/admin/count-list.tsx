// Counts as labelled horizontal bars: readable as text (screen readers, copy) and at a glance.
export function CountList({
  title,
  items,
  color,
}: {
  title: string;
  items: Array<{ key: string; count: number }>;
  color: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <section aria-label={title} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 className="mb-3 text-sm font-semibold text-slate-900">{title}</h2>
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">None.</p>
      ) : (
        <ul className="space-y-2">
          {items.map((item) => (
            <li key={item.key}>
              <div className="flex justify-between gap-3 text-sm">
                <span className="truncate font-mono text-xs text-slate-700" title={item.key}>
                  {item.key}
                </span>
                <span className="tabular-nums text-slate-900">{item.count}</span>
              </div>
              <div className="mt-1 h-1.5 rounded-full bg-slate-100" aria-hidden="true">
                <div
                  className="h-1.5 rounded-full"
                  style={{ width: `${(item.count / max) * 100}%`, backgroundColor: color }}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
