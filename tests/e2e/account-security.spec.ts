/**
 * Spendable credits are only as safe as the account (issue 26), in the
 * browser: a password reset revokes the account's API keys (the keys page
 * shows why, the key answers 401), "Sign out everywhere" does the same on
 * purpose, and the owner of a mailbox who receives a verification mail they
 * did not ask for sees whose account it is and deletes it ("This wasn't me").
 */
import { expect, test } from "./fixtures";
import { PASSWORD, confirmEmail, mailedLink, signIn, signUp, uniqueEmail } from "./helpers";

test.describe.configure({ timeout: 120_000 });

async function createKey(page: import("@playwright/test").Page, name: string): Promise<string> {
  await page.goto("/settings/api-keys");
  await page.getByLabel("Key name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^ck_[0-9a-f]{64}$/);
  return (await shown.textContent())!;
}

test("a password reset revokes the account's API keys: the keys page says so and the key answers 401", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("keyreset");
  await signUp(page, email);
  await confirmEmail(page, email);
  const key = await createKey(page, "Nightly job");
  const auth = { authorization: `Bearer ${key}` };
  expect((await request.get("/api/v1/balance", { headers: auth })).status()).toBe(200);

  await page.context().clearCookies();
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail").fill(email);
  const asked = Date.now();
  await page.getByRole("button", { name: "Mail me a reset link" }).click();
  const link = new URL(await mailedLink(email, "reset-password", asked));
  await page.goto(link.pathname + link.search);
  const newPassword = "a completely new password";
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);

  const refused = await request.get("/api/v1/balance", { headers: auth });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({
    error: "unauthorized",
    reason: "key_revoked",
    revoked_reason: "password_changed",
  });

  await signIn(page, email, newPassword);
  await page.goto("/settings/api-keys");
  const row = page.getByRole("row", { name: /Nightly job/ });
  await expect(row).toContainText("Revoked");
  await expect(row).toContainText("because the password was changed");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
});

test("sign out everywhere: every browser is signed out and every key revoked", async ({ page, browser, request }) => {
  const email = uniqueEmail("everywhere");
  await signUp(page, email);
  await confirmEmail(page, email);
  const key = await createKey(page, "Laptop script");
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email);

  await page.goto("/settings/api-keys");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("button", { name: "Yes, sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=everywhere/);
  await expect(page.getByText("Signed out everywhere")).toBeVisible();

  await otherPage.goto("/wallet");
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fwallet/);
  await other.close();
  const refused = await request.get("/api/v1/balance", { headers: { authorization: `Bearer ${key}` } });
  expect(await refused.json()).toMatchObject({ revoked_reason: "signed_out_everywhere" });
});

test("the owner of a mailbox opens a verification mail they did not ask for: 'This wasn't me' deletes that account", async ({
  page,
  browser,
}) => {
  const victim = uniqueEmail("victim");
  // someone else signs up with the victim's address and stays signed in
  await signUp(page, victim, "the squatter's own password");
  await expect(page.getByRole("region", { name: "Confirm your e-mail address" })).toBeVisible();

  // the victim, in their own browser, opens the mail: nothing is confirmed by opening it
  const owner = await browser.newContext();
  const mailbox = await owner.newPage();
  const link = new URL(await mailedLink(victim, "verify-email"));
  await mailbox.goto(link.pathname + link.search);
  await expect(mailbox.getByRole("heading", { name: "Is this your account?" })).toBeVisible();
  await expect(mailbox.getByRole("definition").filter({ hasText: victim })).toBeVisible();
  await expect(mailbox.getByText("Not signed in")).toBeVisible();
  await mailbox.getByRole("button", { name: "This wasn't me" }).click();
  await mailbox.getByRole("button", { name: "Yes, delete that account" }).click();
  await expect(mailbox.getByRole("heading", { name: "Account deleted" })).toBeVisible();

  // the squatter's session is gone with the account
  await page.goto("/wallet");
  await expect(page).toHaveURL(/\/login\?next=%2Fwallet/);

  // and the address is the victim's to use
  await mailbox.getByRole("link", { name: "Create your own account" }).click();
  await mailbox.getByLabel("E-mail").fill(victim);
  await mailbox.getByLabel("Password").fill(PASSWORD);
  await mailbox.getByRole("button", { name: "Create account" }).click();
  await expect(mailbox).toHaveURL(/\/wallet/);
  await owner.close();
});
