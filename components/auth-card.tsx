/** The narrow, centred card the sign-in, sign-up and mailed-link pages share. */
import type { ReactNode } from "react";

export function AuthCard({ title, lead, children }: { title: string; lead?: ReactNode; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      {lead && <p className="mt-1 text-slate-600">{lead}</p>}
      <div className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
    </div>
  );
}
