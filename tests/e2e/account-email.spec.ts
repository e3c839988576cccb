/**
 * Owning an e-mail address, in the browser: sign-up mails a link that confirms
 * it (the banner goes away), the password can be reset through a mailed link
 * (which signs out every other browser), sign-out ends the session on the
 * server, and next= never leaves the site. Mail goes through a real SMTP
 * server (tests/e2e/mail-catcher.ts).
 */
import { expect, test } from "./fixtures";
import { PASSWORD, confirmEmail, mailedLink, signIn, signUp, uniqueEmail } from "./helpers";

const banner = (page: import("@playwright/test").Page) =>
  page.getByRole("region", { name: "Confirm your e-mail address" });

test("sign-up mails a verification link; opening it confirms the address and the banner goes away", async ({
  page,
}) => {
  const email = uniqueEmail("verify");
  await signUp(page, email);
  await expect(banner(page)).toBeVisible();
  await expect(banner(page)).toContainText(email);

  const first = await mailedLink(email, "verify-email");
  const sentAt = Date.now();
  await banner(page).getByRole("button", { name: "Send a new link" }).click();
  await expect(banner(page)).toContainText("We sent a new confirmation link");
  const second = await mailedLink(email, "verify-email", sentAt);
  expect(second).not.toBe(first);

  // The older link stopped working when the new one was sent.
  await page.goto(new URL(first).pathname + new URL(first).search);
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await expect(banner(page)).toBeVisible();

  await confirmEmail(page, email);
  await expect(banner(page)).toHaveCount(0);
  await page.goto("/wallet");
  await expect(banner(page)).toHaveCount(0);

  // Single use: the same link again says so.
  await page.goto(new URL(second).pathname + new URL(second).search);
  await expect(page.getByRole("alert").filter({ hasText: "used already" })).toBeVisible();
});

test("forgot password: the mailed link sets a new password and signs out every other browser", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail("reset");
  await signUp(page, email);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);

  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Mail me a reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "we sent it a link" })).toBeVisible();

  const link = new URL(await mailedLink(email, "reset-password"));
  await page.goto(link.pathname + link.search);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  const newPassword = "a different long password";
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.getByText("Password changed")).toBeVisible();

  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password.")).toBeVisible();
  await signIn(page, email, newPassword);
  await expect(banner(page)).toHaveCount(0); // the reset link proved the address too

  await otherPage.goto("/wallet");
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fwallet/);
  await other.close();

  // The link worked once.
  await page.goto(link.pathname + link.search);
  await page.getByLabel("New password", { exact: true }).fill("yet another password!");
  await page.getByLabel("Repeat the new password").fill("yet another password!");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "used already" })).toBeVisible();
});

test("sign-out ends the session on the server: a copied cookie no longer opens the wallet", async ({
  page,
  browser,
}) => {
  await signUp(page, uniqueEmail("signout"));
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);

  const thief = await browser.newContext();
  await thief.addCookies(cookies);
  const stolen = await thief.newPage();
  await stolen.goto("/wallet");
  await expect(stolen).toHaveURL(/\/login\?next=%2Fwallet/);
  await thief.close();
});

test("next= that a browser would read as another site goes to /wallet instead", async ({ page }) => {
  await signUp(page, uniqueEmail("redirect"));
  for (const next of [
    "/%09/evil.example",
    "//evil.example",
    "/%5C/evil.example",
    "https://evil.example/",
    "/\\evil.example",
  ]) {
    const response = await page.request.get(`/login?next=${next}`, { maxRedirects: 0 });
    expect([next, response.status()]).toEqual([next, 307]);
    expect([next, response.headers()["location"]]).toEqual([next, "/wallet"]);
  }
  const kept = await page.request.get(`/login?next=${encodeURIComponent("/purchases")}`, { maxRedirects: 0 });
  expect(kept.headers()["location"]).toBe("/purchases");
});

test("X-Forwarded-For entries the client wrote do not escape the per-address sign-up limit", async ({ page }) => {
  test.setTimeout(300_000); // 21 sign-ups, each a scrypt hash
  const outcomes: string[] = [];
  for (let i = 0; i < 21; i++) {
    // The client varies what it claims; the trusted proxy hop (the last entry) stays the same.
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `192.0.2.${i + 1}, 203.0.113.77` });
    await page.goto("/signup");
    await page.getByLabel("E-mail").fill(uniqueEmail("spray"));
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    const outcome = await Promise.race([
      page.waitForURL(/\/wallet/).then(() => "created"),
      page
        .getByRole("alert")
        .filter({ hasText: "Too many attempts" })
        .waitFor()
        .then(() => "limited"),
    ]);
    outcomes.push(outcome);
    await page.context().clearCookies();
  }
  expect(outcomes.slice(0, 20).every((o) => o === "created")).toBe(true);
  expect(outcomes[20]).toBe("limited");
});
