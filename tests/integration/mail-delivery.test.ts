/**
 * The outbox sender against a real SMTP server (the smtp-server package,
 * started inside the test): delivery, the record of a failure with retries
 * and backoff, and giving up after the last attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverOutbox } from "@/lib/mail/sender";
import { targets } from "../helpers/databases";
import { startSmtp, type SmtpSink } from "../helpers/smtp";
import { useTestDatabase } from "../helpers/test-database";

describe.each(targets)("mail delivery through SMTP on %s", (target) => {
  const t = useTestDatabase(target);
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => smtp?.close());

  const enqueue = async (to: string, subject: string, body: string) =>
    (
      await t.db.query<{ id: string }>("select public.enqueue_email($1, $2, $3, 'verify_email') as id", [
        to,
        subject,
        body,
      ])
    )[0].id;
  const row = async (id: string) =>
    (
      await t.db.query<{ sent_at: Date | null; attempts: number; last_error: string | null; failed_at: Date | null }>(
        "select sent_at, attempts, last_error, failed_at from public.email_outbox where id = $1",
        [id],
      )
    )[0];
  const options = () => ({ smtpUrl: smtp.url, from: "Credits <no-reply@credits.example.test>", maxAttempts: 3 });

  it("delivers each queued mail once, with its subject, body and From, and marks it sent", async () => {
    const id = await enqueue(
      "Buyer@Example.com",
      "Confirm your e-mail address",
      "Open https://credits.example.test/verify-email?token=abc",
    );
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 1, failed: 0 });
    const mail = smtp.received.at(-1)!;
    expect(mail.to).toEqual(["buyer@example.com"]);
    expect(mail.from).toBe("no-reply@credits.example.test");
    expect(mail.raw).toContain("Subject: Confirm your e-mail address");
    expect(mail.raw).toContain("https://credits.example.test/verify-email?token=abc");
    expect(await row(id)).toMatchObject({ sent_at: expect.any(Date), attempts: 1, last_error: null });

    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 0 }); // nothing twice
  });

  it("records a refused delivery, retries it after the backoff, and keeps it as failed after the last attempt", async () => {
    smtp.state.refuse = true;
    const id = await enqueue(
      "refused@example.com",
      "Reset your password",
      "https://credits.example.test/reset-password?token=x",
    );
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 1 });
    expect(await row(id)).toMatchObject({
      sent_at: null,
      attempts: 1,
      last_error: expect.stringMatching(/550/),
      failed_at: null,
    });
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 0 }); // waiting for its backoff

    const retryNow = () => t.db.query("update public.email_outbox set next_attempt_at = now() where id = $1", [id]);
    await retryNow();
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 1 });
    await retryNow();
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 1 });
    expect(await row(id)).toMatchObject({ attempts: 3, failed_at: expect.any(Date), sent_at: null });
    await retryNow();
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 0, failed: 0 }); // given up: the record stays

    smtp.state.refuse = false;
  });

  it("records an unreachable server without the credentials of SMTP_URL", async () => {
    const id = await enqueue("down@example.com", "Confirm your e-mail address", "body");
    const report = await deliverOutbox(t.db, { ...options(), smtpUrl: "smtp://mailer:secret@127.0.0.1:1" });
    expect(report).toEqual({ sent: 0, failed: 1 });
    const { last_error } = await row(id);
    expect(last_error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    expect(last_error).not.toContain("secret");
    await t.db.query("update public.email_outbox set next_attempt_at = now() where id = $1", [id]);
    expect(await deliverOutbox(t.db, options())).toEqual({ sent: 1, failed: 0 });
  });
});
