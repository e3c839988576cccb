/**
 * Tokens of mailed links (verification, password reset). A link's token is
 * derived from its id (the auth_email_tokens row) with a key that only
 * AUTH_SECRET gives (HKDF, then HMAC-SHA256 of the id): the database keeps the
 * id and the token's SHA-256, never the token, and the mail in the outbox
 * keeps a placeholder. The sender (and /dev/mailbox) re-derives the token to
 * render the link; a copy of the database without AUTH_SECRET cannot.
 */
import { createHash, createHmac, hkdfSync, randomUUID } from "node:crypto";
import { getEnv } from "@/lib/env";

const keys = new Map<string, Buffer>();

/** The link key for this AUTH_SECRET (HKDF-SHA256), so the session-signing key is never used for anything else. */
function linkKey(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "credits", "mailed link tokens v1", 32));
    keys.set(secret, key);
  }
  return key;
}

/** The token of the link with this id: 256 bits, base64url (43 characters). */
export function linkTokenFor(linkId: string, secret = getEnv().AUTH_SECRET): string {
  return createHmac("sha256", linkKey(secret)).update(linkId, "utf8").digest("base64url");
}

/** A new link: its id (the row's), its token (only in the mail as it is sent) and the hash the row keeps. */
export function newLinkToken(): { id: string; token: string; hash: string } {
  const id = randomUUID();
  const token = linkTokenFor(id);
  return { id, token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A token as it appears in our links (43 base64url characters); anything else is not worth a query. */
export function looksLikeLinkToken(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);
}
