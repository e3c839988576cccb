"use client";
// When a signed-in page cannot load (e.g. the database is briefly unreachable).
import { Notice } from "@/components/notice";

export default function AccountError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="space-y-4">
      <Notice tone="error" title="This page could not be loaded">
        Your credits are safe. Please try again in a moment.
      </Notice>
      <button
        type="button"
        onClick={reset}
        className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
      >
        Try again
      </button>
    </div>
  );
}
