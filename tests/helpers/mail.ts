/** The outbox as a mailbox for tests: the newest link mailed to an address, and following it. */
import { verifyEmail } from "@/lib/auth";
import type { SqlDatabase } from "@/lib/db";

/** The newest link of this kind (verify-email / reset-password) in a mail to `email`. */
export async function latestMailedLink(
  db: SqlDatabase,
  email: string,
  path: "verify-email" | "reset-password",
): Promise<URL> {
  const rows = await db.query<{ body_text: string }>(
    "select body_text from public.email_outbox where to_email = lower($1) order by created_at desc, id desc",
    [email],
  );
  for (const { body_text } of rows) {
    const match = body_text.match(new RegExp(`https?://\\S+/${path}\\?token=[A-Za-z0-9_-]+`));
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
