/**
 * No usable link rests in the database (SPEC §7): the verification and reset
 * links of local accounts are stored only as hashes, and email_outbox holds
 * the mail without its link. The link is rendered when the mail is sent (and
 * on /dev/mailbox), from a token derived from the link's id with a key that
 * only AUTH_SECRET gives. Attacked as issue 26 describes: someone with a copy
 * of the database (a backup, a replica) tries to take over an account with a
 * reset in flight.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import MailboxPage from "@/app/dev/mailbox/page";
import { requestCookieJar, requestEmailLink, resetPassword, signUp, verifyEmail } from "@/lib/auth";
import { resetEnvCache } from "@/lib/env";
import { deliverOutbox } from "@/lib/mail/sender";
import { targets } from "../helpers/databases";
import { useDatabaseBeforeMigration } from "../helpers/database-before-migration";
import { latestMailedLink } from "../helpers/mail";
import { useRouteSuite } from "../helpers/route-suite";
import { startSmtp, type SmtpSink } from "../helpers/smtp";
import { unique } from "../helpers/test-database";
import { expectDatabaseError } from "../helpers/sql-assertions";

const APP_URL = "https://credits.example.test";
const PASSWORD = "the right password, long enough";
const SECRET = "x".repeat(40); // useRouteSuite's AUTH_SECRET
let n = 0;
const ip = () => `203.0.113.${(n++ % 250) + 1}`;
const LINK = /https?:\/\/\S+\/(?:verify-email|reset-password)\?token=([A-Za-z0-9_-]{43})/;

/** The text of a delivered mail (quoted-printable undone). */
const textOf = (raw: string) =>
  raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe.each(targets)("no usable link rests in the database on %s", (target) => {
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => smtp.close());
  const suite = useRouteSuite(target, () => ({ APP_URL }));
  const sender = () => ({ smtpUrl: smtp.url, from: "Credits <no-reply@credits.example.test>" });

  async function signUpAs(email: string) {
    const outcome = await signUp(
      { email, password: PASSWORD },
      { ip: ip(), jar: requestCookieJar(new Request("http://app.test/")) },
    );
    if (!outcome.ok) throw new Error(outcome.error);
  }

  /** Everything the database holds about the outbox and the link tokens, as one string (a dump would). */
  const dump = async () =>
    JSON.stringify([
      await suite.db.query("select * from public.email_outbox"),
      await suite.db.query("select * from public.auth_email_tokens"),
    ]);

  const outboxRow = async (email: string, kind: string) =>
    (
      await suite.db.query<{
        id: string;
        body_text: string;
        sent_at: Date | null;
        failed_at: Date | null;
        last_error: string | null;
      }>(
        "select id, body_text, sent_at, failed_at, last_error from public.email_outbox where to_email = $1 and kind = $2 order by created_at desc, id desc",
        [email, kind],
      )
    )[0];

  it("a sign-up's and a reset's mails rest without their links: a dump of the database opens nothing", async () => {
    const email = `rest-${unique()}@example.com`;
    await signUpAs(email);
    await requestEmailLink(email, "reset_password", { ip: ip() });
    const verify = (await latestMailedLink(suite.db, email, "verify-email")).searchParams.get("token")!;
    const reset = (await latestMailedLink(suite.db, email, "reset-password")).searchParams.get("token")!;

    const everything = await dump();
    expect(everything).not.toContain(verify);
    expect(everything).not.toContain(reset);
    for (const kind of ["verify_email", "reset_password"]) {
      expect((await outboxRow(email, kind)).body_text).not.toMatch(/token=/);
    }
    // every 43-character token-shaped string a dump holds, tried as a link: none works
    for (const candidate of everything.match(/[A-Za-z0-9_-]{43}/g) ?? []) {
      expect(await resetPassword(candidate, "taken over by a dump reader", { ip: ip() })).toMatchObject({ ok: false });
    }
    // the links the owner receives still work
    expect(await resetPassword(reset, "the owner's new password", { ip: ip() })).toMatchObject({ ok: true });
  });

  it("the database refuses a verification or reset mail whose body carries a link token", async () => {
    await expectDatabaseError(
      suite.db.query(
        "insert into public.email_outbox (to_email, subject, body_text, kind) values ('a@example.com', 's', $1, 'reset_password')",
        [`Open ${APP_URL}/reset-password?token=${"A".repeat(43)}`],
      ),
      "23514",
      /email_outbox_no_link_token/,
    );
  });

  it("the sender renders the link when it sends: the delivered link works, the row still holds none", async () => {
    const email = `send-${unique()}@example.com`;
    await signUpAs(email);
    await deliverOutbox(suite.db, sender());
    const delivered = textOf(smtp.received.filter((m) => m.to.includes(email)).at(-1)!.raw);
    const token = LINK.exec(delivered)?.[1];
    expect(token).toBeDefined();
    expect(delivered).toContain(`${APP_URL}/verify-email?token=${token}`);
    const row = await outboxRow(email, "verify_email");
    expect(row.sent_at).toBeInstanceOf(Date);
    expect(row.body_text).not.toContain(token!);
    expect(await verifyEmail(token)).toMatchObject({ ok: true });
  });

  it("/dev/mailbox shows the working link outside production", async () => {
    const email = `mailbox-${unique()}@example.com`;
    await signUpAs(email);
    const html = renderToStaticMarkup(await MailboxPage());
    const token = new RegExp(`${APP_URL}/verify-email\\?token=([A-Za-z0-9_-]{43})`).exec(html)?.[1];
    expect(token).toBeDefined();
    expect(await verifyEmail(token)).toMatchObject({ ok: true });
  });

  it("a mail whose link was replaced or expired before it could be sent is not sent, and is kept failed with the reason", async () => {
    const email = `stale-${unique()}@example.com`;
    await signUpAs(email);
    await requestEmailLink(email, "verify_email", { ip: ip() }); // the first link stops working
    await requestEmailLink(email, "reset_password", { ip: ip() });
    await suite.db.query(
      "update public.auth_email_tokens set expires_at = now() - interval '1 second' where purpose = 'reset_password' and email = $1",
      [email],
    );
    const before = smtp.received.length;
    await deliverOutbox(suite.db, sender());
    const delivered = smtp.received.slice(before).filter((m) => m.to.includes(email));
    expect(delivered).toHaveLength(1); // only the newest verification link
    const rows = await suite.db.query<{ kind: string; sent: boolean; failed: boolean; last_error: string | null }>(
      "select kind, sent_at is not null as sent, failed_at is not null as failed, last_error from public.email_outbox where to_email = $1 order by created_at, id",
      [email],
    );
    expect(rows).toEqual([
      { kind: "verify_email", sent: false, failed: true, last_error: expect.stringMatching(/no longer works/) },
      { kind: "verify_email", sent: true, failed: false, last_error: null },
      { kind: "reset_password", sent: false, failed: true, last_error: expect.stringMatching(/no longer works/) },
    ]);
  });

  it("with another AUTH_SECRET (a copy of the database elsewhere) the link cannot be rebuilt, and no dead link is mailed", async () => {
    const email = `secret-${unique()}@example.com`;
    await signUpAs(email);
    process.env.AUTH_SECRET = "y".repeat(40);
    resetEnvCache();
    try {
      const before = smtp.received.length;
      await deliverOutbox(suite.db, sender());
      expect(smtp.received.slice(before).filter((m) => m.to.includes(email))).toEqual([]);
      expect(await outboxRow(email, "verify_email")).toMatchObject({
        sent_at: null,
        failed_at: expect.any(Date),
        last_error: expect.stringMatching(/AUTH_SECRET/),
      });
    } finally {
      process.env.AUTH_SECRET = SECRET;
      resetEnvCache();
    }
  });
});

describe("mails written before links left the outbox", () => {
  const before = useDatabaseBeforeMigration("20261206000110_mail_links_not_at_rest.sql");
  const db = before.db;

  it("lose their links when the migration runs; those not sent yet are kept failed (a new link is asked for)", async () => {
    await before.migrateToBefore();
    const link = (token: string) => `Open this link:\n\n${APP_URL}/reset-password?token=${token}\n\nThanks`;
    await db.query(
      `insert into public.email_outbox (to_email, subject, body_text, kind, sent_at) values
         ('sent@example.com', 'Reset your password', $1, 'reset_password', now()),
         ('waiting@example.com', 'Reset your password', $2, 'reset_password', null),
         ('alert@example.com', 'Alert', 'See ${APP_URL}/admin/metrics?window=1h', 'other', null)`,
      [link("S".repeat(43)), link("W".repeat(43))],
    );

    await before.applyMigration();
    const rows = await db.query<{ to_email: string; body_text: string; failed: boolean; last_error: string | null }>(
      "select to_email, body_text, failed_at is not null as failed, last_error from public.email_outbox order by to_email",
    );
    expect(rows).toEqual([
      {
        to_email: "alert@example.com",
        body_text: `See ${APP_URL}/admin/metrics?window=1h`,
        failed: false,
        last_error: null,
      },
      {
        to_email: "sent@example.com",
        body_text: "Open this link:\n\n(link removed: links are not kept in the outbox)\n\nThanks",
        failed: false,
        last_error: null,
      },
      {
        to_email: "waiting@example.com",
        body_text: "Open this link:\n\n(link removed: links are not kept in the outbox)\n\nThanks",
        failed: true,
        last_error: expect.stringMatching(/ask for a new link/),
      },
    ]);
  });
});
