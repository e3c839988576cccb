// Development mailbox: without SMTP_URL, outside production, the mails the app would send (from email_outbox), each
// link rendered here as the sender would render it (the outbox never stores a link).
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EmptyState } from "@/components/empty-state";
import { PageTitle } from "@/components/page-title";
import { getDb } from "@/lib/db";
import { recentOutboxMails } from "@/lib/db/rpc/mail";
import { getEnv } from "@/lib/env";
import { renderMail } from "@/lib/mail/links";

export const metadata: Metadata = { title: "Development mailbox" };
export const dynamic = "force-dynamic";

/** Links in a plain-text body become clickable; everything else stays text. */
function Body({ text }: { text: string }) {
  return (
    <pre className="mt-3 whitespace-pre-wrap break-words font-sans text-sm text-slate-700">
      {text.split(/(https?:\/\/\S+)/g).map((part, i) =>
        /^https?:\/\//.test(part) ? (
          <a key={i} href={part} className="font-medium text-indigo-700 underline">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </pre>
  );
}

export default async function MailboxPage() {
  if (!getEnv().devMailbox) notFound();
  const mails = await recentOutboxMails(getDb(), 50);
  return (
    <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-8 sm:px-6">
      <PageTitle
        title="Development mailbox"
        lead="SMTP_URL is not set, so mails stay in the outbox. This page exists only outside production."
      />
      {mails.length === 0 ? (
        <EmptyState title="No mails yet">Sign up or ask for a password reset, and the mail appears here.</EmptyState>
      ) : (
        <ol className="space-y-4" aria-label="Mails, newest first">
          {mails.map((mail) => (
            <li key={mail.id} className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
              <article aria-label={`${mail.subject} to ${mail.to_email}`}>
                <header className="flex flex-wrap items-baseline justify-between gap-2">
                  <h2 className="font-semibold text-slate-900">{mail.subject}</h2>
                  <time dateTime={mail.created_at.toISOString()} className="text-xs text-slate-500">
                    {mail.created_at.toISOString().replace("T", " ").slice(0, 19)} UTC
                  </time>
                </header>
                <p className="mt-1 text-sm text-slate-600">
                  To <span className="font-medium text-slate-800">{mail.to_email}</span>
                </p>
                <Body text={renderMail(mail).text} />
              </article>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
