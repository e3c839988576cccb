/** The text of the mails local accounts send. Links are built from APP_URL (lib/auth/redirects), never from a request. */
import type { Mail } from "@/lib/db/rpc/local-accounts";

export function verificationMail(link: string): Mail {
  return {
    subject: "Confirm your e-mail address",
    body: [
      "Hello,",
      "",
      "Someone (we hope you) created a Credits account with this e-mail address.",
      "Open this link to confirm that the address is yours:",
      "",
      link,
      "",
      "The link works once and expires in 24 hours. Until you confirm, credits",
      "bought with this address wait for you instead of going to the account.",
      "",
      "If you did not create this account, ignore this mail: without the link",
      "the account never counts as yours.",
    ].join("\n"),
  };
}

export function passwordResetMail(link: string): Mail {
  return {
    subject: "Reset your password",
    body: [
      "Hello,",
      "",
      "Someone (we hope you) asked to reset the password of the Credits account",
      "with this e-mail address. Open this link to choose a new one:",
      "",
      link,
      "",
      "The link works once and expires in 1 hour. Choosing a new password signs",
      "out every browser that is signed in to the account.",
      "",
      "If you did not ask for this, ignore this mail: your password stays as it is.",
    ].join("\n"),
  };
}
