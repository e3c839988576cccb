// Every signed-in page: the account tabs (Overview, Buy, Activity, Settings) above the page.
import type { ReactNode } from "react";
import { AccountNav } from "@/components/account-nav";

export default function AccountLayout({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-5xl space-y-8 px-4 py-6 sm:px-6 sm:py-8">
      <AccountNav />
      {children}
    </div>
  );
}
