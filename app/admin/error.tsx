"use client";
// Shown when an admin page throws (most often: the database did not answer). No details: they may hold secrets.
import { Notice } from "@/components/notice";

export default function AdminError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="space-y-4">
      <Notice tone="error" title="This page could not be loaded">
        The database may be unreachable. Webhook deliveries are answered 503 meanwhile and providers will redeliver
        them.
      </Notice>
      <button
        type="button"
        onClick={reset}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-semibold text-white hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        Try again
      </button>
    </div>
  );
}
