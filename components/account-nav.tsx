"use client";
/** The account area's tabs: Overview, Buy, Activity (covering /purchases), Settings, each a real page, the current one marked with aria-current. */
import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS: Array<{ href: string; label: string; covers: (pathname: string) => boolean }> = [
  { href: "/wallet", label: "Overview", covers: (p) => p === "/wallet" },
  { href: "/wallet/buy", label: "Buy", covers: (p) => p === "/wallet/buy" },
  { href: "/wallet/activity", label: "Activity", covers: (p) => p === "/wallet/activity" || p === "/purchases" },
  { href: "/settings", label: "Settings", covers: (p) => p === "/settings" || p.startsWith("/settings/") },
];

export function AccountNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Account" className="border-b border-slate-200">
      <ul className="flex gap-1 text-sm">
        {TABS.map((tab) => {
          // "page" on the tab's own page; "true" on a page the tab covers (the Activity tab on /purchases)
          const current = pathname === tab.href ? "page" : tab.covers(pathname) ? "true" : undefined;
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={current}
                className={`inline-block border-b-2 px-3 py-2 font-medium ${
                  current
                    ? "border-indigo-600 text-indigo-700"
                    : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
