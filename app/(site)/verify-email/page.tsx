// A mailed verification link (?token=…): shows which address and account it confirms and asks for a click (opening it
// changes nothing), with "This wasn't me". Without a token: where the link went, and a new one.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { EmailLinkForm } from "@/components/email-link-form";
import { Notice } from "@/components/notice";
import { VerifyEmailChoice } from "@/components/verify-email-choice";
import { getSession, inspectVerificationLink, type Session } from "@/lib/auth";
import { resendVerificationAction } from "@/lib/auth/actions";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Confirm your e-mail" };
export const dynamic = "force-dynamic";

const linkClass = "rounded font-medium text-indigo-700 hover:underline";
const buttonClass =
  "mt-5 block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white shadow-sm hover:bg-indigo-700";

interface Search {
  token?: string | string[];
  done?: string;
}

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { token, done } = await searchParams;
  const session = await getSession();

  if (done === "confirmed") {
    return (
      <AuthCard title="E-mail confirmed" lead="Thank you: this address is now proven to be yours.">
        <Notice tone="success" title="Your e-mail address is confirmed.">
          Credits bought with this address before you had an account are in your wallet now, and purchases matched by
          e-mail will reach you from here on.
        </Notice>
        <Link href={session ? "/wallet" : "/login?next=%2Fwallet"} className={buttonClass}>
          {session ? "Go to your wallet" : "Sign in"}
        </Link>
      </AuthCard>
    );
  }
  if (done === "deleted" || done === "closed") {
    return (
      <AuthCard title={done === "deleted" ? "Account deleted" : "Account closed"} lead="Thank you for telling us.">
        <Notice tone="success" title="The address stays yours.">
          {done === "deleted"
            ? "The account someone made with your address is deleted, with its sessions and API keys."
            : "The account someone made with your address held payments, so our support keeps its records; nobody can sign in to it any more, and its sessions and API keys are ended."}{" "}
          Credits bought with your address wait for you: they are yours once you sign up with it and confirm.
        </Notice>
        <Link href="/signup" className={buttonClass}>
          Create your own account
        </Link>
      </AuthCard>
    );
  }

  if (token !== undefined) {
    const link = await inspectVerificationLink(token);
    if (link.ok && typeof token === "string") {
      return (
        <AuthCard
          title="Is this your account?"
          lead="This link confirms that an e-mail address belongs to a Credits account. Nothing happens until you choose."
        >
          <dl className="mb-5 space-y-2 rounded-lg bg-slate-50 p-4 text-sm">
            <div>
              <dt className="text-slate-500">E-mail address</dt>
              <dd className="font-medium break-all text-slate-900">{link.email}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Account created</dt>
              <dd className="text-slate-900">{formatDateTime(link.accountCreatedAt)}</dd>
            </div>
            <div>
              <dt className="text-slate-500">In this browser</dt>
              <dd className="text-slate-900">{signedInAs(session, link.userId)}</dd>
            </div>
          </dl>
          <VerifyEmailChoice token={token} email={link.email} />
        </AuthCard>
      );
    }
    return (
      <AuthCard title="This link does not work" lead={<WhereTheLinkWent session={session} />}>
        <div className="space-y-5">
          <Notice tone="error">{link.ok ? "This link is not valid." : link.error}</Notice>
          <NewLink session={session} />
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Confirm your e-mail" lead={<WhereTheLinkWent session={session} />}>
      <NewLink session={session} />
    </AuthCard>
  );
}

function signedInAs(session: Session | null, userId: string): string {
  if (!session) return "Not signed in";
  return session.userId === userId ? "Signed in as this account" : `Signed in as another account (${session.email})`;
}

function WhereTheLinkWent({ session }: { session: Session | null }) {
  if (session?.emailConfirmed) return <>Your e-mail address is already confirmed.</>;
  if (session) {
    return (
      <>
        We sent a confirmation link to <span className="font-medium text-slate-800">{session.email}</span>.
      </>
    );
  }
  return <>Open the link we mailed you when you signed up.</>;
}

function NewLink({ session }: { session: Session | null }) {
  if (session?.emailConfirmed) {
    return (
      <Link href="/wallet" className={linkClass}>
        Go to your wallet
      </Link>
    );
  }
  if (session) {
    return (
      <div className="space-y-5">
        <p className="text-sm text-slate-600">
          The link works once and expires after 24 hours. Nothing arrived? Check the spam folder, or ask for a new link:
          the older ones stop working.
        </p>
        <EmailLinkForm action={resendVerificationAction} label="Send a new link" pendingLabel="Sending…" />
      </div>
    );
  }
  return (
    <p className="text-sm text-slate-600">
      <Link href="/login?next=%2Fverify-email" className={linkClass}>
        Sign in
      </Link>{" "}
      to ask for a new confirmation link.
    </p>
  );
}
