/**
 * Monthly plans in the browser, through the local test checkout (which sends
 * our webhook the signed events Stripe would): subscribe, renew, fail a
 * renewal, pay it, cancel. Runs against the production build.
 */
import { expect, test, type Page } from "@playwright/test";
import { signUp, uniqueEmail } from "./helpers";

async function subscribeToBasic(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Buy" }).click();
  await page.getByRole("button", { name: "Subscribe to Basic monthly" }).click();
  await expect(page).toHaveURL(/\/checkout\/test\?plan=basic-monthly/);
  await expect(page.getByText("no real payment happens", { exact: false }).first()).toBeVisible();
  await page.getByRole("button", { name: /Subscribe for \$20\.00 \/ month/ }).click();
  await expect(page).toHaveURL(/\/wallet\/buy\?checkout=subscribed/);
}

/** The purchases in the ledger, counted on /wallet/activity; then back to /wallet/buy. */
async function expectLedgerPurchases(page: Page, count: number): Promise<void> {
  await page.goto("/wallet/activity?kind=purchases");
  await expect(
    page
      .getByRole("table", { name: /ledger/i })
      .getByRole("row")
      .filter({ hasText: "Purchase" }),
  ).toHaveCount(count);
  await page.goto("/wallet/buy");
}

test("a subscriber gets the first period's credits, renews once for the second, cancels, and gets no more", async ({
  page,
}, testInfo) => {
  await signUp(page, uniqueEmail("subscriber"));
  await subscribeToBasic(page);

  const subscription = page.getByTestId("subscription");
  await expect(page.getByTestId("balance")).toHaveText("600 credits");
  await expect(subscription.getByTestId("subscription-status")).toHaveText("Active");
  await expect(subscription.getByTestId("credits-per-period")).toHaveText("600 credits / month");
  await expect(subscription.getByRole("heading", { name: "Basic monthly" })).toBeVisible();
  await expect(page.getByText("Your plan")).toBeVisible(); // the plan card no longer offers Subscribe
  const firstRenewal = await subscription.getByTestId("next-renewal").textContent();
  await page.screenshot({ path: testInfo.outputPath("wallet-with-plan.png"), fullPage: true });

  await page.getByRole("button", { name: "Start next period now" }).click();
  await expect(page).toHaveURL(/\/wallet\/buy\?subscription=renew/);
  await expect(page.getByTestId("balance")).toHaveText("1,200 credits");
  await expect(subscription.getByTestId("next-renewal")).not.toHaveText(firstRenewal ?? "");
  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("1,200 credits");
  await expectLedgerPurchases(page, 2);

  const subscriptionId = await subscription.locator('input[name="subscription_id"]').first().getAttribute("value");
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  await expect(page).toHaveURL(/\/wallet\/buy\?subscription=cancel/);
  await expect(subscription.getByTestId("subscription-status")).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: "Start next period now" })).toHaveCount(0);

  // no more periods: a renewal of the cancelled subscription is refused and grants nothing
  const renew = await page.request.post("/api/checkout/test/subscription", {
    form: { subscription_id: subscriptionId!, action: "renew" },
  });
  expect(renew.status()).toBe(409);
  await page.reload();
  await expect(page.getByTestId("balance")).toHaveText("1,200 credits");
  await expectLedgerPurchases(page, 2);
  // and the plan can be taken again
  await expect(page.getByRole("button", { name: "Subscribe to Basic monthly" })).toBeVisible();
});

test("a failed renewal shows past due and grants nothing until the overdue invoice is paid", async ({
  page,
}, testInfo) => {
  await signUp(page, uniqueEmail("pastdue"));
  await subscribeToBasic(page);
  await expect(page.getByTestId("balance")).toHaveText("600 credits");

  await page.getByRole("button", { name: "Simulate a failed renewal" }).click();
  await expect(page).toHaveURL(/\/wallet\/buy\?subscription=fail/);
  const subscription = page.getByTestId("subscription");
  await expect(subscription.getByTestId("subscription-status")).toHaveText("Past due");
  await expect(subscription.getByRole("alert")).toContainText("Your last renewal payment failed");
  await expect(page.getByTestId("balance")).toHaveText("600 credits");
  await expect(page.getByRole("button", { name: "Start next period now" })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("wallet-past-due.png"), fullPage: true });

  await page.getByRole("button", { name: "Pay the overdue invoice" }).click();
  await expect(page).toHaveURL(/\/wallet\/buy\?subscription=pay/);
  await expect(page.getByTestId("balance")).toHaveText("1,200 credits");
  await expect(subscription.getByTestId("subscription-status")).toHaveText("Active");
});
