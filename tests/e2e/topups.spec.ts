/**
 * Automatic top-up in the browser, in test mode (the local test checkout saves a test card; a top-up sends
 * our webhook the signed event Stripe would send): buy with the card saved → turn it on → spend through an
 * API key below the threshold → the wallet shows the top-up; three declines → off, mailed; turning it off
 * is one click on the wallet (or two through its settings page).
 */
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { confirmEmail, openPage, signUp, uniqueEmail, waitForHydration } from "./helpers";

/** Buys Starter at the local test checkout with "Save this card for automatic top-ups" ticked. */
async function buyWithSavedCard(page: Page) {
  await openPage(page, "/wallet/buy");
  await page.getByLabel("Save this card for automatic top-ups (Starter)").check();
  await page.getByRole("button", { name: "Buy Starter" }).click();
  await expect(page).toHaveURL(/\/checkout\/test\?package=starter&save_card=1/);
  await expect(page.getByLabel(/Save this card for automatic top-ups/)).toBeChecked();
  await page.getByRole("button", { name: /Pay \$5\.00/ }).click();
  await expect(page).toHaveURL(/\/settings\/top-up\?card=saved/);
  await expect(page.getByTestId("saved-card")).toHaveText("Test card (no real payment)");
  await waitForHydration(page);
}

async function turnOn(page: Page, threshold: number, limit: string) {
  await page.getByLabel("Automatic top-up is on").check();
  await page.getByLabel("Pack to buy").selectOption("starter");
  await page.getByLabel("Buy when the balance falls below (credits)").fill(String(threshold));
  await page.getByRole("textbox", { name: "Monthly limit (USD)" }).fill(limit);
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("heading", { name: "Automatic top-up is on" })).toBeVisible();
}

async function createKey(page: Page): Promise<string> {
  await openPage(page, "/settings/api-keys");
  await page.getByLabel("Key name").fill("Top-up test");
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^ck_/);
  return (await shown.textContent())!;
}

const spend = (request: APIRequestContext, key: string, amount: number, id: string) =>
  request.post("/api/v1/spend", {
    headers: { authorization: `Bearer ${key}`, "idempotency-key": id },
    data: { amount, reason: "E2E work" },
  });

/** The mails to `email` with this subject, as the mail catcher (tests/e2e/mail-catcher.ts) received them. */
function mailsTo(email: string, subject: string): Array<{ text: string }> {
  const dir = process.env.E2E_MAIL_DIR!;
  return fs
    .readdirSync(dir)
    .map(
      (file) =>
        JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { to: string[]; subject: string; text: string },
    )
    .filter((mail) => mail.to.includes(email.toLowerCase()) && mail.subject === subject);
}

test("a user saves a card at checkout, turns automatic top-up on, spends below the threshold through the API, and the wallet shows the top-up", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("topup");
  await signUp(page, email);
  await confirmEmail(page, email);
  await buyWithSavedCard(page);
  await turnOn(page, 80, "20.00");

  const key = await createKey(page);
  const res = await spend(request, key, 30, "topup-1");
  expect(await res.json()).toEqual({ outcome: "spent", balance: 70, spent: 30 });

  // the worker charges the test card within seconds; the webhook grants the pack
  await page.goto("/wallet");
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("balance")).toHaveText("170 credits", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("topup-state")).toHaveText("on");
  await expect(page.getByText("$5.00 of $20.00 used this month")).toBeVisible();
  await expect(page.getByText("with your test card when your balance falls below 80 credits")).toBeVisible();

  // the settings page is one click away: it shows the month and the top-up, and turns it off (two clicks in all)
  await page.getByRole("link", { name: "Manage automatic top-up" }).click();
  await expect(page.getByTestId("topup-month")).toHaveText("$5.00 of $20.00");
  await expect(
    page.getByRole("table", { name: /Automatic top-ups/ }).getByRole("row", { name: /Bought/ }),
  ).toBeVisible();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Turn off automatic top-up" }).click();
  await expect(page.getByText("Automatic top-up is off. Nothing will be bought")).toBeVisible();
});

test("three declined top-ups turn automatic top-up off and mail the user; turning it off is one click on the wallet", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("declined");
  await signUp(page, email);
  await confirmEmail(page, email);
  await buyWithSavedCard(page);
  await turnOn(page, 1000, "50.00");
  const key = await createKey(page);

  for (let i = 1; i <= 3; i++) {
    await openPage(page, "/settings/top-up");
    await page.getByRole("button", { name: "Decline the next top-up" }).click();
    await expect(page.getByText("the next automatic top-up will be declined")).toBeVisible();
    expect((await spend(request, key, 1, `decline-${i}`)).status()).toBe(200);
    await expect(async () => {
      await page.reload();
      await expect(page.getByText(new RegExp(`\\(${i} in a row; it turns off after 3\\)`))).toBeVisible({
        timeout: 1_000,
      });
    }).toPass({ timeout: 30_000 });
  }
  await expect(page.getByText("Automatic top-up turned itself off")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Automatic top-up is on" })).toHaveCount(0);

  await expect.poll(() => mailsTo(email, "Automatic top-up failed").length, { timeout: 40_000 }).toBe(2);
  await expect.poll(() => mailsTo(email, "Automatic top-up failed and is now off").length, { timeout: 40_000 }).toBe(1);
  const [last] = mailsTo(email, "Automatic top-up failed and is now off");
  expect(last.text).toContain("automatic top-up is now turned off");
  expect(last.text).toMatch(/https?:\/\/\S+\/settings\/top-up/);

  // on again, then off with one click on the wallet
  await waitForHydration(page);
  await turnOn(page, 1000, "50.00");
  await openPage(page, "/wallet");
  await page.getByRole("button", { name: "Turn off automatic top-up" }).click();
  await expect(page).toHaveURL(/\/wallet$/);
  await expect(page.getByTestId("topup-state")).toHaveText("off");
  expect((await spend(request, key, 1, "after-off")).status()).toBe(200);

  // /settings says where it stands and links to its page
  await openPage(page, "/settings");
  await expect(page.getByRole("region", { name: "Automatic top-up" })).toContainText("Your test card is saved for it");
  await page.getByRole("link", { name: "Automatic top-up settings" }).click();
  await expect(page).toHaveURL(/\/settings\/top-up$/);
});
