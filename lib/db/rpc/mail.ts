/** Typed calls of supabase/schemas/030_mail.sql: the outbox every mail goes through, and its retention. */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

/** What renders a mail's link (lib/mail/links.ts): its auth_email_tokens row's id, purpose, hash and liveness. */
const link = {
  link_id: uuid.nullable(),
  link_purpose: z.enum(["verify_email", "reset_password"]).nullable(),
  link_hash: z.string().nullable(),
  link_live: z.boolean(),
};

const claimed = z.array(
  z.object({ id: uuid, to_email: z.string(), subject: z.string(), body_text: z.string(), attempts: int, ...link }),
);
export type OutboxMail = z.infer<typeof claimed>[number];

/** Due mails for this sender, each with attempts + 1 and a lease. */
export async function claimOutboxMails(db: Database, limit = 20, leaseSeconds = 120): Promise<OutboxMail[]> {
  return claimed.parse(await db.rpc("email_outbox_claim", { p_limit: limit, p_lease_seconds: leaseSeconds }));
}

export async function markOutboxMailSent(db: Database, id: string): Promise<void> {
  await db.rpc("email_outbox_sent", { p_id: id });
}

const failed = z.object({ attempts: int, failed: z.boolean() }).nullable();

/** A failed delivery: retried later with backoff, or kept as failed after maxAttempts. */
export async function markOutboxMailFailed(db: Database, id: string, error: string, maxAttempts = 5) {
  return failed.parse(await db.rpc("email_outbox_failed", { p_id: id, p_error: error, p_max_attempts: maxAttempts }));
}

const recent = z.array(
  z.object({
    id: uuid,
    to_email: z.string(),
    subject: z.string(),
    body_text: z.string(),
    kind: z.string(),
    created_at: timestamp,
    sent_at: timestamp.nullable(),
    attempts: int,
    last_error: z.string().nullable(),
    failed_at: timestamp.nullable(),
    ...link,
  }),
);
export type MailboxEntry = z.infer<typeof recent>[number];

export async function recentOutboxMails(db: Database, limit = 50): Promise<MailboxEntry[]> {
  return recent.parse(await db.rpc("email_outbox_recent", { p_limit: limit }));
}

/** Retention: mails sent before olderThan, batch at a time. */
export async function purgeSentEmails(db: Database, olderThan: Date, batch: number): Promise<number> {
  return int.parse(await db.rpc("purge_sent_emails", { p_older_than: olderThan.toISOString(), p_batch: batch }));
}
