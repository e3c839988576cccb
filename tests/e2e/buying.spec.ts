import { expect, test } from "./fixtures";
import { checkoutCompletedEvent, confirmEmail, sendStripeEvent, signUp, uniqueEmail } from "./helpers";

test("a newcomer signs up and, before confirming the e-mail, buys a pack through the local test checkout and sees the balance and the purchase", async ({
  page,
}) => {
  await signUp(page, uniqueEmail("newcomer"));
  await expect(page.getByTestId("balance")).toHaveText("0 credits");
  await expect(page.getByRole("region", { name: "Confirm your e-mail address" })).toBeVisible();

  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Buy" }).click();
  await expect(page).toHaveURL(/\/wallet\/buy$/);
  await page.getByRole("button", { name: "Buy Starter" }).click();
  await expect(page).toHaveURL(/\/checkout\/test\?package=starter/);
  await expect(page.getByText("no real payment happens", { exact: false }).first()).toBeVisible();

  await page.getByRole("button", { name: /Pay \$5\.00/ }).click();
  await expect(page).toHaveURL(/\/wallet\?checkout=success/);
  await expect(page.getByTestId("balance")).toHaveText("100 credits");
  await expect(page.getByRole("table", { name: /ledger/i }).getByText("Purchase")).toBeVisible();

  await page.getByRole("link", { name: "Purchases" }).click();
  const row = page.getByRole("row", { name: /Starter/ });
  await expect(row).toContainText("100");
  await expect(row).toContainText("$5.00");
  await expect(row).toContainText("Card (Stripe)");
  await expect(row).toContainText("Completed");
});

test("the overview buys a pack in one click, as /wallet always did", async ({ page }) => {
  await signUp(page, uniqueEmail("overview-buyer"));
  await expect(page).toHaveURL(/\/wallet$/);
  await page.getByRole("region", { name: "Buy credits" }).getByRole("button", { name: "Buy Pro" }).click();
  await expect(page).toHaveURL(/\/checkout\/test\?package=pro/);
  await page.getByRole("button", { name: /Pay \$25\.00/ }).click();
  await expect(page).toHaveURL(/\/wallet\?checkout=success/);
  await expect(page.getByTestId("balance")).toHaveText("550 credits");
});

test("a buyer who paid before having an account signs up, confirms the e-mail, and sees the credits, announced once", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("early");
  const status = await sendStripeEvent(request, checkoutCompletedEvent({ email, packageId: "pro", amountMinor: 2500 }));
  expect(status).toBe(200);

  await signUp(page, email.toUpperCase()); // e-mails match case-insensitively
  // Signing up with the address does not prove it: the credits wait for the mailed link.
  await expect(page.getByTestId("balance")).toHaveText("0 credits");
  await confirmEmail(page, email);
  await page.getByRole("link", { name: "Go to your wallet" }).click();
  await expect(page.getByTestId("balance")).toHaveText("550 credits");
  await expect(page.getByText("Your earlier purchase is here")).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("550 credits");
  await expect(page.getByText("Your earlier purchase is here")).toHaveCount(0);
});

test("a new account has no purchases yet", async ({ page }) => {
  await signUp(page, uniqueEmail("empty"));
  await page.goto("/purchases");
  await expect(page.getByText("No purchases yet")).toBeVisible();
});
