/**
 * The text of the mails local accounts send. The link is not in it: the outbox
 * keeps LINK_PLACEHOLDER, and the sender renders the link from APP_URL when it
 * sends the mail (lib/mail/links.ts).
 */
import type { Mail } from "@/lib/db/rpc/local-accounts";
import { LINK_PLACEHOLDER } from "./links";

export function verificationMail(): Mail {
  return {
    subject: "Confirm your e-mail address",
    body: [
      "Hello,",
      "",
      "Someone (we hope you) created a Credits account with this e-mail address.",
      "Open this link to see the account and confirm that the address is yours:",
      "",
      LINK_PLACEHOLDER,
      "",
      "The link works once and expires in 24 hours. Until you confirm, credits",
      "bought with this address wait for you instead of going to the account.",
      "",
      "If you did not create this account, open the link and choose \"This wasn't",
      'me": the account is deleted and the address stays yours. Or ignore this',
      "mail: without the link the account never counts as yours.",
    ].join("\n"),
  };
}

export function passwordResetMail(): Mail {
  return {
    subject: "Reset your password",
    body: [
      "Hello,",
      "",
      "Someone (we hope you) asked to reset the password of the Credits account",
      "with this e-mail address. Open this link to choose a new one:",
      "",
      LINK_PLACEHOLDER,
      "",
      "The link works once and expires in 1 hour. Choosing a new password signs",
      "out every browser that is signed in to the account and revokes its API keys.",
      "",
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ].join("\n"),
  };
}
