"use client";
// When a signed-in page cannot load (e.g. the database is briefly unreachable).
import { Notice } from "@/components/notice";
import { ReloadButton } from "@/components/reload-button";

export default function AccountError() {
  return (
    <div className="space-y-4">
      <Notice tone="error" title="This page could not be loaded">
        Your credits are safe. Please try again in a moment.
      </Notice>
      <ReloadButton />
    </div>
  );
}
