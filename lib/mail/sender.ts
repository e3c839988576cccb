/**
 * Delivers email_outbox through SMTP_URL with nodemailer. Rows are claimed with
 * a lease (email_outbox_claim), so concurrent senders in several app
 * instances never deliver one row at the same time; each failure is recorded
 * (last_error, backoff) and a row is kept as failed after its last attempt.
 * Runs right after a mail is queued and on a timer (instrumentation-node.ts).
 * A mail's link is rendered here, at send time (lib/mail/links.ts); one whose
 * link no longer works is not sent.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Database } from "@/lib/db";
import { claimOutboxMails, markOutboxMailFailed, markOutboxMailSent } from "@/lib/db/rpc/mail";
import { renderMail } from "./links";

export interface SenderOptions {
  smtpUrl: string;
  from: string;
  /** attempts before a mail is kept as failed (default 5) */
  maxAttempts?: number;
  batch?: number;
}

export interface DeliveryReport {
  sent: number;
  failed: number;
}

const transports = new Map<string, Transporter>();

function transportFor(smtpUrl: string): Transporter {
  let transport = transports.get(smtpUrl);
  if (!transport) {
    // nodemailer reads the whole URL: smtp:// (STARTTLS when offered) or smtps://, credentials, and options as query parameters.
    transport = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, transport);
  }
  return transport;
}

/** The reason for the record: the SMTP reply or error code, never credentials (the URL is not part of it). */
function describe(error: unknown): string {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const parts = [e.code, e.responseCode, e.response ?? e.message].filter((part) => part !== undefined && part !== "");
  return parts.join(" ").slice(0, 500) || "unknown error";
}

/** Delivers every due mail once (each claimed batch in turn); returns what happened. */
export async function deliverOutbox(db: Database, options: SenderOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, failed: 0 };
  const transport = transportFor(options.smtpUrl);
  for (;;) {
    const mails = await claimOutboxMails(db, options.batch ?? 20);
    if (mails.length === 0) return report;
    for (const mail of mails) {
      const rendered = renderMail(mail);
      if (!rendered.ok) {
        // a dead link is never mailed: kept failed at once, with the reason
        await markOutboxMailFailed(db, mail.id, `not sent: ${rendered.reason}`, 0);
        report.failed += 1;
        continue;
      }
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to_email,
          subject: mail.subject,
          text: rendered.text,
        });
        await markOutboxMailSent(db, mail.id);
        report.sent += 1;
      } catch (error) {
        const outcome = await markOutboxMailFailed(db, mail.id, describe(error), options.maxAttempts);
        report.failed += 1;
        console.error(
          `mail delivery failed (attempt ${outcome?.attempts ?? mail.attempts}${outcome?.failed ? ", giving up" : ""}): ${describe(error)}`,
        );
      }
    }
  }
}
