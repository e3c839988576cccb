/**
 * axe-core on every account and admin page: no serious or critical WCAG 2.1 A/AA
 * violation, at a desktop and a phone width, and with the phone menu open.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import {
  ACCOUNT_PAGES,
  ADMIN_DETAIL_LINKS,
  ADMIN_EMAIL,
  ADMIN_PAGES,
  buyStarter,
  createApiKey,
  openPage,
  signUp,
  signUpOrSignIn,
  uniqueEmail,
} from "./helpers";
import type { Page } from "@playwright/test";

const WIDTHS = [1280, 390];

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.html.slice(0, 160)).join(" | ")}`);
}

test("account pages have no serious or critical axe violations", async ({ page }) => {
  await signUp(page, uniqueEmail("axe"));
  await buyStarter(page);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of [...ACCOUNT_PAGES, "/wallet/activity?kind=purchases"]) {
      await openPage(page, path);
      expect(await seriousViolations(page), `${path} at ${width} px`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 390, height: 900 });
  await openPage(page, "/wallet");
  await page.getByRole("button", { name: "Menu" }).click();
  expect(await seriousViolations(page), "/wallet with the phone menu open").toEqual([]);
});

test("admin pages have no serious or critical axe violations", async ({ page }) => {
  await signUpOrSignIn(page, ADMIN_EMAIL);
  await buyStarter(page); // an event, a user with a ledger
  const details: string[] = [];
  for (const { list, link } of ADMIN_DETAIL_LINKS) {
    await openPage(page, list);
    const href = await page.locator(link).first().getAttribute("href");
    expect(href, `a detail link on ${list}`).toBeTruthy();
    details.push(href!);
  }
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of [...ADMIN_PAGES, ...details]) {
      await openPage(page, path);
      expect(await seriousViolations(page), `${path} at ${width} px`).toEqual([]);
    }
  }
});

test("the wallet and the admin user page showing holds and credit lots have no serious or critical axe violations", async ({
  page,
  request,
}) => {
  // The admin's own account: confirmed (so it may have a key) and reachable from /admin/users.
  await signUpOrSignIn(page, ADMIN_EMAIL);
  await buyStarter(page);
  const auth = { authorization: `Bearer ${await createApiKey(page, `axe holds ${Date.now()}`)}` };
  const hold = async (amount: number) => {
    const response = await request.post("/api/v1/holds", {
      headers: { ...auth, "idempotency-key": `axe-${Date.now()}-${amount}` },
      data: { amount, reason: "Accessibility check" },
    });
    expect(response.status()).toBe(201);
    return ((await response.json()) as { hold: { id: string } }).hold.id;
  };
  const captured = await hold(7);
  await request.post(`/api/v1/holds/${captured}/capture`, { headers: auth, data: { amount: 5 } });
  await hold(9);

  await openPage(page, "/admin/users");
  await page.getByLabel("E-mail contains").fill(ADMIN_EMAIL);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: ADMIN_EMAIL }).click();
  await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
  const userPage = new URL(page.url()).pathname;
  await page.getByRole("spinbutton", { name: "Credits" }).fill("20");
  await page.getByLabel(/^Expires after/).fill(new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10));
  await page.getByLabel(/^Reason \(required/).fill("Accessibility check");
  await page.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(page.getByText("Granted 20 credits")).toBeVisible();

  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of ["/wallet", "/wallet/activity?kind=captures", userPage]) {
      await openPage(page, path);
      expect(await seriousViolations(page), `${path} with holds and lots at ${width} px`).toEqual([]);
    }
  }
  await page
    .getByRole("table", { name: /open holds/i })
    .getByRole("button", { name: "Release hold" })
    .first()
    .click();
  expect(await seriousViolations(page), `${userPage} asking to release a hold`).toEqual([]);
});
