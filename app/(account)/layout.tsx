import type { ReactNode } from "react";

export default function AccountLayout({ children }: { children: ReactNode }) {
  return <div className="mx-auto w-full max-w-5xl space-y-8 px-4 py-8 sm:px-6">{children}</div>;
}
