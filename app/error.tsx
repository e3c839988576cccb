"use client";
// Any page outside the account and admin areas that throws (those have their own). No details: they stay on the server.
import Link from "next/link";
import { ReloadButton } from "@/components/reload-button";

export default function SiteError() {
  return (
    <div className="mx-auto max-w-xl px-4 py-20 text-center sm:px-6">
      <p className="text-sm font-semibold text-amber-700">Something went wrong</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">This page could not be loaded</h1>
      <p className="mt-2 text-slate-600">It is on our side, and your credits are safe. Please try again in a moment.</p>
      <div className="mt-6 flex flex-wrap justify-center gap-3">
        <ReloadButton />
        <Link
          href="/"
          className="rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50"
        >
          Home
        </Link>
      </div>
    </div>
  );
}
