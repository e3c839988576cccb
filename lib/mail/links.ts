/**
 * Rendering the link of a mail from the outbox. The outbox keeps "{{link}}"
 * where the link goes and the id of its auth_email_tokens row; the token is
 * derived from that id (lib/auth/link-tokens.ts) when the mail is sent or
 * shown on /dev/mailbox, and checked against the stored hash, so a link made
 * under another AUTH_SECRET is never mailed.
 */
import { hashLinkToken, linkTokenFor } from "@/lib/auth/link-tokens";
import { appUrl } from "@/lib/auth/redirects";
import { getEnv } from "@/lib/env";

/** Where a mail's link goes in its stored text. */
export const LINK_PLACEHOLDER = "{{link}}";
/** The app's address (APP_URL), for mails written by SQL, which does not know it (low-balance notices). */
export const APP_URL_PLACEHOLDER = "{{app_url}}";

/** The link part of an outbox row, as email_outbox_claim / email_outbox_recent return it. */
export interface MailLink {
  body_text: string;
  link_id: string | null;
  link_purpose: "verify_email" | "reset_password" | null;
  link_hash: string | null;
  link_live: boolean;
}

const PAGES = { verify_email: "/verify-email", reset_password: "/reset-password" } as const;

export type RenderedMail =
  | { ok: true; text: string }
  /** why the mail must not be sent: its link no longer works, or cannot be rebuilt here */
  | { ok: false; reason: string; text: string };

const DEAD = "(this link no longer works: ask for a new one)";

/** The mail's text with its working link, or why there is none. A mail without a link is its text. */
export function renderMail(stored: MailLink): RenderedMail {
  const mail = { ...stored, body_text: stored.body_text.replaceAll(APP_URL_PLACEHOLDER, getEnv().APP_URL) };
  if (!mail.body_text.includes(LINK_PLACEHOLDER)) return { ok: true, text: mail.body_text };
  const dead = (reason: string): RenderedMail => ({
    ok: false,
    reason,
    text: mail.body_text.replaceAll(LINK_PLACEHOLDER, DEAD),
  });
  if (!mail.link_id || !mail.link_purpose || !mail.link_hash) return dead("its link no longer exists");
  if (!mail.link_live) return dead("its link no longer works (used, replaced by a newer one, or expired)");
  const token = linkTokenFor(mail.link_id);
  if (hashLinkToken(token) !== mail.link_hash) {
    return dead("its link was made under another AUTH_SECRET and cannot be rebuilt; the owner asks for a new one");
  }
  const link = appUrl(`${PAGES[mail.link_purpose]}?token=${token}`);
  return { ok: true, text: mail.body_text.replaceAll(LINK_PLACEHOLDER, link) };
}
