/** Shown on every page while the signed-in account's address is unconfirmed. */
import { resendVerificationAction } from "@/lib/auth/actions";
import { EmailLinkForm } from "./email-link-form";

export function ConfirmEmailBanner({ email }: { email: string }) {
  return (
    <div role="region" aria-label="Confirm your e-mail address" className="border-b border-amber-200 bg-amber-50">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3 text-sm text-amber-900 sm:px-6">
        <p>
          <span className="font-semibold">Confirm your e-mail address.</span> We sent a link to{" "}
          <span className="font-medium">{email}</span>. Until you open it, credits bought with this address by e-mail
          wait for you; buying from your wallet works now.
        </p>
        <EmailLinkForm action={resendVerificationAction} label="Send a new link" pendingLabel="Sending…" compact />
      </div>
    </div>
  );
}
