"use client";
// Shown when an admin page throws (most often: the database did not answer). No details: they may hold secrets.
import { Notice } from "@/components/notice";
import { ReloadButton } from "@/components/reload-button";

export default function AdminError() {
  return (
    <div className="space-y-4">
      <Notice tone="error" title="This page could not be loaded">
        The database may be unreachable. Webhook deliveries are answered 503 meanwhile and providers will redeliver
        them.
      </Notice>
      <ReloadButton />
    </div>
  );
}
