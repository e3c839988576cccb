/**
 * What happens after a mail is queued: with SMTP_URL the sender delivers it
 * now (and the timer retries); without it, outside production, the mail stays
 * in the outbox for /dev/mailbox and its link is printed to the log, so a
 * local run can follow every link. In production without SMTP_URL mail cannot
 * leave: the log says so (without the link).
 */
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { deliverOutbox } from "./sender";

let running: Promise<void> | undefined;

/** Delivers the outbox in the background; one run at a time per process. Never throws. */
export function deliverOutboxSoon(): Promise<void> {
  const env = getEnv();
  if (!env.SMTP_URL) return Promise.resolve();
  running ??= deliverOutbox(getDb(), { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM })
    .then(() => undefined)
    .catch((error) => console.error(`mail delivery run failed: ${(error as Error).name}`))
    .finally(() => {
      running = undefined;
    });
  return running;
}

/** Call after the transaction that queued a mail has committed. */
export function mailQueued(kind: string, link: string): void {
  const env = getEnv();
  if (env.SMTP_URL) {
    void deliverOutboxSoon();
  } else if (env.devMailbox) {
    console.log(`[mail] ${kind} link (also at ${env.APP_URL}/dev/mailbox): ${link}`);
  } else {
    console.warn(`[mail] a ${kind} mail is queued in email_outbox but SMTP_URL is not set, so it cannot be delivered`);
  }
}

let timer: NodeJS.Timeout | undefined;

/** With SMTP_URL: retry due mails every intervalMs (instrumentation-node.ts starts it). */
export function startMailTimer(intervalMs = 30_000): void {
  if (timer || !getEnv().SMTP_URL || getEnv().mode === "supabase") return;
  timer = setInterval(() => void deliverOutboxSoon(), intervalMs);
  timer.unref();
}
