/**
 * "Sign out everywhere": ends every session of the account (this browser's
 * too) and revokes every API key, for when a device is lost or a password or
 * key may be known to someone else. Self-contained, so any account page can
 * carry it.
 */
import { signOutEverywhereAction } from "@/lib/auth/actions";
import { ConfirmSubmit } from "./confirm-submit";

export function SignOutEverywhere({ activeKeys }: { activeKeys: number }) {
  const keys = activeKeys === 0 ? "" : ` and revokes your ${activeKeys === 1 ? "API key" : `${activeKeys} API keys`}`;
  return (
    <section
      aria-labelledby="sign-out-everywhere-heading"
      className="space-y-3 rounded-2xl border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-sm"
    >
      <h2 id="sign-out-everywhere-heading" className="text-base font-semibold text-slate-900">
        Sign out everywhere
      </h2>
      <p>
        Lost a device, or think someone else knows your password or one of your keys? This signs out every browser
        signed in to your account, this one included, and revokes every API key: programs using them are refused at
        once. Sign in again and create new keys afterwards.
      </p>
      <form action={signOutEverywhereAction}>
        <ConfirmSubmit
          label="Sign out everywhere"
          question={`This signs out every browser${keys || " (you have no active API keys)"}. Continue?`}
          confirmLabel="Yes, sign out everywhere"
          pendingLabel="Signing out…"
        />
      </form>
    </section>
  );
}
