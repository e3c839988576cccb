/**
 * /admin/webhooks in the browser: an admin adds an endpoint (the secret is
 * shown once), sends a test event that a receiver verifies with the
 * standardwebhooks package, replays it with the same webhook-id, rotates the
 * secret and disables the endpoint; a user sets and turns off the low-balance
 * alert on their wallet.
 */
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";
import { expect, test } from "./fixtures";
import { ADMIN_EMAIL, openPage, signUp, signUpOrSignIn, uniqueEmail, waitForHydration } from "./helpers";

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
test.afterAll(async () => receiver?.close());

test("an admin adds an endpoint, sends a signed test event, replays it, rotates the secret and disables it", async ({
  page,
}) => {
  await signUpOrSignIn(page, ADMIN_EMAIL);
  await openPage(page, "/admin/events");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Outgoing webhooks", level: 1 })).toBeVisible();

  const url = `${receiver.url}?run=${Date.now()}`;
  await page.getByLabel("Endpoint URL").fill(url);
  await page.getByLabel(/^Description/).fill("E2E receiver");
  await page
    .getByRole("group", { name: "Event types" })
    .first()
    .getByLabel(/balance\.low/)
    .check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

  const endpoint = page.getByTestId("webhook-endpoint").filter({ hasText: url });
  await expect(endpoint).toContainText("E2E receiver");
  await expect(endpoint.getByText("Event types: balance.low, credits.granted")).toBeVisible();
  await endpoint.getByText("· change").click();
  await expect(endpoint.getByLabel(/credits\.granted/)).toBeChecked();
  await expect(endpoint.getByLabel(/balance\.low/)).toBeChecked();
  await endpoint.getByLabel(/credits\.reversed/).check();
  await endpoint.getByRole("button", { name: "Save event types" }).click();
  await expect(page.getByText("Event types saved")).toBeVisible();
  await expect(endpoint.getByText("Event types: balance.low, credits.granted, credits.reversed")).toBeVisible();

  const before = receiver.received.length;
  await endpoint.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText("Test event queued")).toBeVisible();
  await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(before + 1);
  const first = receiver.received[before];
  const event = new Webhook(secret).verify(first.body, first.headers as Record<string, string>) as { type: string };
  expect(event.type).toBe("webhook.test");

  await expect
    .poll(async () => {
      await page.reload();
      return page.getByTestId("webhook-delivery").first().textContent();
    })
    .toMatch(/delivered/);
  await page
    .getByTestId("webhook-delivery")
    .first()
    .getByRole("button", { name: /^Replay/ })
    .click();
  await expect(page.getByText("Delivery queued again")).toBeVisible();
  await expect.poll(() => receiver.received.length, { timeout: 15_000 }).toBe(before + 2);
  expect(receiver.received[before + 1].headers["webhook-id"]).toBe(first.headers["webhook-id"]);

  await page.getByTestId("webhook-delivery").first().getByRole("link").click();
  await expect(page.getByRole("table", { name: /attempts/i }).getByRole("row")).toHaveCount(3);
  await page.getByRole("link", { name: "← Outgoing webhooks" }).click();

  const rotating = page.getByTestId("webhook-endpoint").filter({ hasText: url });
  await rotating.getByRole("button", { name: "Rotate secret" }).click();
  const rotated = (await rotating.getByTestId("webhook-secret").textContent()) ?? "";
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);
  await expect(rotating).toContainText("old secret signs until");

  await rotating.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByText("Endpoint disabled")).toBeVisible();
  await expect(page.getByTestId("webhook-endpoint").filter({ hasText: url })).toContainText("disabled");
  await expect(page.getByTestId("webhook-endpoint").filter({ hasText: url })).not.toContainText("whsec_");
});

test("a user sets a low-balance alert under settings, sees it and the low-balance notice on the wallet, and turns it off", async ({
  page,
}) => {
  await signUp(page, uniqueEmail("low"));
  await openPage(page, "/wallet");
  await expect(page.getByTestId("low-balance-line")).toContainText("Low-balance alert: off.");
  await page.getByTestId("low-balance-line").getByRole("link", { name: "Set one up" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await waitForHydration(page);

  const section = page.getByRole("region", { name: "Low-balance alert" });
  await expect(section).toContainText("Off");
  await section.getByLabel("Alert me when my balance drops below").fill("50");
  await section.getByRole("button", { name: "Turn on" }).click();
  await expect(section.getByText("Saved. We e-mail you once when your balance drops below 50 credits.")).toBeVisible();
  await expect(section).toContainText("On: we e-mail you when your balance drops below 50 credits");

  await openPage(page, "/wallet");
  const notice = page.getByRole("status").filter({ hasText: "Your balance is low" }); // a new wallet holds 0
  await expect(notice).toContainText("below your alert threshold of 50 credits");
  await notice.getByRole("link", { name: "Change" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await waitForHydration(page);
  await page.getByRole("region", { name: "Low-balance alert" }).getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByText("Low-balance alerts are off.")).toBeVisible();

  await openPage(page, "/wallet");
  await expect(page.getByText("Your balance is low")).toHaveCount(0);
  await expect(page.getByTestId("low-balance-line")).toContainText("Low-balance alert: off.");
});
