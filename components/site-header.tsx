/** The header on every page: where you are, where you can go, who you are signed in as, and whether that address is confirmed. */
import Link from "next/link";
import { getSession } from "@/lib/auth";
import { signOutAction } from "@/lib/auth/actions";
import { ConfirmEmailBanner } from "./confirm-email-banner";
import { NavLink } from "./nav-link";

export async function SiteHeader() {
  const session = await getSession().catch(() => null);
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
          <Link
            href="/"
            className="flex items-center gap-2 rounded-md text-lg font-semibold tracking-tight text-slate-900"
          >
            <span
              aria-hidden
              className="grid size-7 place-items-center rounded-lg bg-indigo-600 text-sm font-bold text-white"
            >
              C
            </span>
            Credits
          </Link>
          <nav aria-label="Main" className="flex flex-1 flex-wrap items-center gap-1 text-sm">
            <NavLink href="/">Packs</NavLink>
            {session && <NavLink href="/wallet">Wallet</NavLink>}
            {session && <NavLink href="/purchases">Purchases</NavLink>}
            {session && <NavLink href="/settings/api-keys">API keys</NavLink>}
            {session?.isAdmin && <NavLink href="/admin">Admin</NavLink>}
          </nav>
          <div className="flex items-center gap-3 text-sm">
            {session ? (
              <>
                <span className="hidden max-w-56 truncate text-slate-500 sm:inline" title={session.email}>
                  {session.email}
                </span>
                <form action={signOutAction}>
                  <button
                    type="submit"
                    className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100"
                  >
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <>
                <Link href="/login" className="rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100">
                  Sign in
                </Link>
                <Link
                  href="/signup"
                  className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500"
                >
                  Sign up
                </Link>
              </>
            )}
          </div>
        </div>
      </header>
      {session && !session.emailConfirmed && <ConfirmEmailBanner email={session.email} />}
    </>
  );
}
