"use client";
/**
 * A secret shown once (a new API key, a webhook signing secret), with a copy button: the server keeps
 * only a hash of it, or never shows it again.
 */
import { useId, useState, type ReactNode } from "react";

interface Props {
  title: ReactNode;
  secret: string;
  /** What the secret is called in the copy-by-hand hint: "key", "secret". */
  noun: string;
  testId: string;
  /** Why it must be copied now, and where it goes. */
  children: ReactNode;
}

export function ShownOnceSecret({ title, secret, noun, testId, children }: Props) {
  const headingId = useId();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <section aria-labelledby={headingId} className="rounded-2xl border border-emerald-200 bg-emerald-50 p-5">
      <h3 id={headingId} className="font-semibold text-emerald-900">
        {title}
      </h3>
      <p className="mt-1 text-sm text-emerald-900">{children}</p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code
          data-testid={testId}
          className="min-w-0 flex-1 break-all rounded-lg border border-emerald-200 bg-white px-3 py-2 font-mono text-sm text-slate-900"
        >
          {secret}
        </code>
        <button
          type="button"
          onClick={copy}
          className="rounded-lg border border-emerald-300 bg-white px-3 py-2 text-sm font-semibold text-emerald-800 shadow-sm hover:bg-emerald-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
        >
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      <p role="status" aria-live="polite" className="mt-2 text-xs text-emerald-800">
        {copied === "yes"
          ? "Copied to the clipboard."
          : copied === "failed"
            ? `Copying is blocked here; select the ${noun} and copy it by hand.`
            : ""}
      </p>
    </section>
  );
}
