/**
 * Playwright global setup: a real SMTP server (smtp-server) on E2E_SMTP_PORT
 * that the app under test delivers its outbox to (SMTP_URL, set by
 * playwright.config.ts). Each mail is written as JSON to E2E_MAIL_DIR, where
 * the tests (other processes) read the links; the returned teardown stops it.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SMTPServer } from "smtp-server";

/** Quoted-printable soft line breaks and escapes, as nodemailer writes long text lines. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export default async function startMailCatcher(): Promise<() => Promise<void>> {
  const dir = process.env.E2E_MAIL_DIR!;
  fs.mkdirSync(dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
      stream.on("end", () => {
        const [head, ...body] = raw.split(/\r?\n\r?\n/);
        const quoted = /content-transfer-encoding:\s*quoted-printable/i.test(head);
        const text = body.join("\n\n");
        const mail = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: /^subject: (.*)$/im.exec(head)?.[1] ?? "",
          text: quoted ? decodeQuotedPrintable(text) : text,
          at: Date.now(),
        };
        const file = path.join(dir, `${Date.now()}-${randomBytes(4).toString("hex")}.json`);
        fs.writeFileSync(file, JSON.stringify(mail));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(Number(process.env.E2E_SMTP_PORT), "127.0.0.1", resolve));
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
