// Opens a mailed verification link (?token=…), or, without one, says where the link went and offers a new one.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { EmailLinkForm } from "@/components/email-link-form";
import { Notice } from "@/components/notice";
import { getSession, verifyEmail } from "@/lib/auth";
import { resendVerificationAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Confirm your e-mail" };
export const dynamic = "force-dynamic";

const linkClass = "rounded font-medium text-indigo-700 hover:underline";

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[] }>;
}) {
  const { token } = await searchParams;
  const outcome = token === undefined ? null : await verifyEmail(token);
  const session = await getSession();

  if (outcome?.ok) {
    return (
      <AuthCard title="E-mail confirmed" lead="Thank you: this address is now proven to be yours.">
        <Notice tone="success" title={outcome.message}>
          Credits bought with this address before you had an account are in your wallet now, and purchases matched by
          e-mail will reach you from here on.
        </Notice>
        <Link
          href={session ? "/wallet" : "/login?next=%2Fwallet"}
          className="mt-5 block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white shadow-sm hover:bg-indigo-500"
        >
          {session ? "Go to your wallet" : "Sign in"}
        </Link>
      </AuthCard>
    );
  }

  const confirmed = session?.emailConfirmed === true;
  return (
    <AuthCard
      title={outcome ? "This link does not work" : "Confirm your e-mail"}
      lead={
        confirmed ? (
          "Your e-mail address is already confirmed."
        ) : session ? (
          <>
            We sent a confirmation link to <span className="font-medium text-slate-800">{session.email}</span>.
          </>
        ) : (
          "Open the link we mailed you when you signed up."
        )
      }
    >
      <div className="space-y-5">
        {outcome && !outcome.ok && <Notice tone="error">{outcome.error}</Notice>}
        {confirmed ? (
          <Link href="/wallet" className={linkClass}>
            Go to your wallet
          </Link>
        ) : session ? (
          <>
            <p className="text-sm text-slate-600">
              The link works once and expires after 24 hours. Nothing arrived? Check the spam folder, or ask for a new
              link: the older ones stop working.
            </p>
            <EmailLinkForm action={resendVerificationAction} label="Send a new link" pendingLabel="Sending…" />
          </>
        ) : (
          <p className="text-sm text-slate-600">
            <Link href="/login?next=%2Fverify-email" className={linkClass}>
              Sign in
            </Link>{" "}
            to ask for a new confirmation link.
          </p>
        )}
      </div>
    </AuthCard>
  );
}
