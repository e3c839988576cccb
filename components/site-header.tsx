/**
 * The header on every page: where you are, where you can go, who you are signed in as, and whether that
 * address is confirmed. One row at every width: on a phone the links fold into HeaderMenu.
 */
import Link from "next/link";
import { getSession } from "@/lib/auth";
import { signOutAction } from "@/lib/auth/actions";
import { ConfirmEmailBanner } from "./confirm-email-banner";
import { HeaderMenu } from "./header-menu";
import { NavLink } from "./nav-link";

const buttonClass = "rounded-md px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100";

export async function SiteHeader() {
  const session = await getSession().catch(() => null);
  return (
    <>
      <header className="relative border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-nowrap items-center gap-x-6 px-4 py-3 sm:px-6">
          <Link
            href="/"
            className="flex shrink-0 items-center gap-2 rounded-md text-lg font-semibold tracking-tight text-slate-900"
          >
            <span
              aria-hidden
              className="grid size-7 place-items-center rounded-lg bg-indigo-600 text-sm font-bold text-white"
            >
              C
            </span>
            Credits
          </Link>
          <HeaderMenu>
            <nav aria-label="Main" className="flex flex-col gap-1 text-sm md:flex-1 md:flex-row md:items-center">
              <NavLink href="/">Packs</NavLink>
              {session && <NavLink href="/wallet">Wallet</NavLink>}
              {session && <NavLink href="/settings">Settings</NavLink>}
              {session?.isAdmin && <NavLink href="/admin">Admin</NavLink>}
            </nav>
            <div className="flex flex-col gap-2 border-t border-slate-200 pt-3 text-sm md:flex-row md:items-center md:gap-3 md:border-0 md:pt-0">
              {session ? (
                <>
                  <span className="truncate px-3 text-slate-600 md:max-w-56 md:px-0" title={session.email}>
                    {session.email}
                  </span>
                  <form action={signOutAction}>
                    <button type="submit" className={`${buttonClass} w-full text-left md:w-auto`}>
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <Link href="/login" className={buttonClass}>
                    Sign in
                  </Link>
                  <Link
                    href="/signup"
                    className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700"
                  >
                    Sign up
                  </Link>
                </>
              )}
            </div>
          </HeaderMenu>
        </div>
      </header>
      {session && !session.emailConfirmed && <ConfirmEmailBanner email={session.email} />}
    </>
  );
}
