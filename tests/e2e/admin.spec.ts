/**
 * The admin's day: find an event in the log by the buyer's e-mail, read its
 * payload, retry it, and check the health page. Runs against the production
 * build with ADMIN_EMAILS set by playwright.config.ts.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { ADMIN_EMAIL, checkoutCompletedEvent, sendStripeEvent, signUpOrSignIn, uniqueEmail } from "./helpers";

/** Other specs may have created the admin account already in this run's database; a new one is confirmed (ADMIN_EMAILS counts only a confirmed address). */
const signInAsAdmin = (page: Page) => signUpOrSignIn(page, ADMIN_EMAIL);

test("an admin finds a failed event by e-mail, reads its payload, and Retry records a new attempt", async ({
  page,
  request,
}) => {
  const buyer = uniqueEmail("lost");
  // A paid checkout for a pack we do not sell: stored as failed ("unknown package"), answered 200.
  const failing = checkoutCompletedEvent({ email: buyer, packageId: "no-such-pack", amountMinor: 500 });
  expect(await sendStripeEvent(request, failing)).toBe(200);
  expect(
    await sendStripeEvent(
      request,
      checkoutCompletedEvent({ email: uniqueEmail("other"), packageId: "starter", amountMinor: 500 }),
    ),
  ).toBe(200);

  await signInAsAdmin(page);
  await page.goto("/admin/events");
  await page.getByLabel("Event id, e-mail or external id").fill(buyer);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/[?&]q=/);

  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(2); // header + the one event
  await expect(rows.nth(1)).toContainText("failed");
  await expect(rows.nth(1)).toContainText("unknown package");
  await rows.nth(1).getByRole("link").click();

  await expect(page.getByRole("heading", { level: 1, name: "checkout.session.completed" })).toBeVisible();
  await expect(page.getByText(failing.id).first()).toBeVisible();
  const payload = page.getByLabel(`Payload of ${failing.id}`);
  await expect(payload).toContainText('"package_id": "no-such-pack"');
  await expect(payload).toContainText(`"email": "${buyer}"`);

  const attempts = page.getByRole("table", { name: /Processing attempts/ }).getByRole("row");
  await expect(attempts).toHaveCount(2);
  await page.getByRole("button", { name: "Retry now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Attempt 2 failed again" })).toBeVisible();
  await expect(attempts).toHaveCount(3);
  await expect(attempts.nth(2)).toContainText("admin");
  await expect(attempts.nth(2)).toContainText("unknown package");
});

test("Retry all failed reports what it re-ran", async ({ page, request }) => {
  expect(
    await sendStripeEvent(
      request,
      checkoutCompletedEvent({ email: uniqueEmail("bulk"), packageId: "no-such-pack", amountMinor: 500 }),
    ),
  ).toBe(200);
  await signInAsAdmin(page);
  await page.goto("/admin/events?status=failed");
  await page.getByRole("button", { name: "Retry all failed" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Retried \d+ failed events?/ })).toBeVisible();
});

test("the metrics page shows the numbers and draws its charts", async ({ page, request }) => {
  expect(
    await sendStripeEvent(
      request,
      checkoutCompletedEvent({ email: uniqueEmail("metrics"), packageId: "starter", amountMinor: 500 }),
    ),
  ).toBe(200);
  await signInAsAdmin(page);
  await page.goto("/admin/metrics");
  await page.getByRole("navigation", { name: "Time window" }).getByRole("link", { name: "1 h" }).click();
  await expect(page).toHaveURL(/window=1h/);
  await expect(page.getByText("Success rate", { exact: true })).toBeVisible();
  await expect(page.getByText("p95 processing", { exact: true })).toBeVisible();
  for (const name of ["Events over time, by status", "Events over time, by provider", "Events over time, by type"]) {
    const chart = page.getByRole("figure", { name });
    await expect(chart.locator("svg").first()).toBeVisible();
    await expect(chart.locator("svg path.recharts-rectangle").first()).toBeAttached(); // at least one bar drawn
  }
  await expect(page.getByRole("figure", { name: "Events over time, by type" })).toContainText(
    "checkout.session.completed", // the legend
  );
  // one time axis for the window: every chart labels the same ticks
  const tickLabels = (name: string) =>
    page
      .getByRole("figure", { name })
      .locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value")
      .allTextContents();
  for (const [window, key] of [
    ["24 h", "24h"],
    ["7 d", "7d"],
    ["1 h", "1h"],
  ]) {
    await page.getByRole("navigation", { name: "Time window" }).getByRole("link", { name: window }).click();
    await expect(page).toHaveURL(new RegExp(`window=${key}`));
    await expect.poll(async () => (await tickLabels("Events over time, by status")).length).toBeGreaterThanOrEqual(5);
    const byStatus = await tickLabels("Events over time, by status");
    await expect.poll(() => tickLabels("Events over time, by provider")).toEqual(byStatus);
    await expect.poll(() => tickLabels("Events over time, by type")).toEqual(byStatus);
  }
  await expect(page.getByRole("region", { name: "Events by provider" })).toContainText("stripe");
});
