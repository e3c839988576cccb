// The stored payload, pretty-printed. React escapes the text; the box scrolls and takes keyboard focus so it can be scrolled without a mouse.
export function PayloadView({ payload, label }: { payload: unknown; label: string }) {
  return (
    <pre
      tabIndex={0}
      aria-label={label}
      className="max-h-[36rem] overflow-auto rounded-xl bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      {JSON.stringify(payload, null, 2)}
    </pre>
  );
}
