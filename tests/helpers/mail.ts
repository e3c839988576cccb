/** The outbox as a mailbox for tests: the newest link mailed to an address, and following it. */
import { verifyEmail } from "@/lib/auth";
import type { SqlDatabase } from "@/lib/db";
import { recentOutboxMails } from "@/lib/db/rpc/mail";
import { renderMail } from "@/lib/mail/links";

/**
 * The newest link of this kind (verify-email / reset-password) in a mail to `email`, as its recipient gets
 * it: the outbox keeps no link, so it is rendered the way the sender and /dev/mailbox render it.
 */
export async function latestMailedLink(
  db: SqlDatabase,
  email: string,
  path: "verify-email" | "reset-password",
): Promise<URL> {
  const mails = (await recentOutboxMails(db, 200)).filter((mail) => mail.to_email === email.toLowerCase());
  for (const mail of mails) {
    const match = renderMail(mail).text.match(new RegExp(`https?://\\S+/${path}\\?token=[A-Za-z0-9_-]+`));
    if (match) return new URL(match[0]);
  }
  throw new Error(`no ${path} link mailed to ${email}`);
}

/** Opens the newest verification link mailed to `email`, as its owner would (what /verify-email does). */
export async function confirmThroughMailedLink(db: SqlDatabase, email: string): Promise<void> {
  const link = await latestMailedLink(db, email, "verify-email");
  const outcome = await verifyEmail(link.searchParams.get("token"));
  if (!outcome.ok) throw new Error(`verification failed: ${outcome.error}`);
}
