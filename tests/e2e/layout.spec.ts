/**
 * The account area and the admin pages at a phone (390 px) and a desktop
 * (1280 px) width: no sideways scrolling, a header in one row, a phone menu that
 * works with the keyboard, and the common errands a click or two from the overview.
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import {
  ACCOUNT_PAGES,
  ADMIN_DETAIL_LINKS,
  ADMIN_EMAIL,
  ADMIN_PAGES,
  buyStarter,
  openPage,
  signUp,
  signUpOrSignIn,
  uniqueEmail,
  waitForHydration,
} from "./helpers";

const WIDTHS = [390, 1280];

/** Fails unless the page is no wider than the window and the header's visible parts share one row. */
async function expectFits(page: Page, where: string): Promise<void> {
  const layout = await page.evaluate(() => {
    const header = document.querySelector("header")!;
    const brand = header.querySelector("a")!.getBoundingClientRect();
    const middle = (r: DOMRect) => r.top + r.height / 2;
    const offRow = [...header.querySelectorAll<HTMLElement>("a, button, span")]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().height > 0)
      .filter((el) => Math.abs(middle(el.getBoundingClientRect()) - middle(brand)) > 8)
      .map((el) => el.textContent?.trim());
    return {
      scrollWidth: document.documentElement.scrollWidth,
      width: window.innerWidth,
      headerHeight: header.getBoundingClientRect().height,
      offRow,
    };
  });
  expect(layout.scrollWidth, `${where}: page wider than the window`).toBeLessThanOrEqual(layout.width);
  expect(layout.offRow, `${where}: header items outside the brand's row`).toEqual([]);
  expect(layout.headerHeight, `${where}: header height`).toBeLessThan(72);
}

test("account pages fit a phone and a desktop, with the header in one row", async ({ page }) => {
  await signUp(page, uniqueEmail("layout"));
  await buyStarter(page);
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 844 });
    for (const path of ACCOUNT_PAGES) {
      await openPage(page, path);
      await expectFits(page, `${path} at ${width} px`);
    }
  }
});

test("admin pages fit a phone and a desktop, with the header in one row", async ({ page }) => {
  await signUpOrSignIn(page, ADMIN_EMAIL);
  await buyStarter(page);
  const details: string[] = [];
  for (const { list, link } of ADMIN_DETAIL_LINKS) {
    await openPage(page, list);
    details.push((await page.locator(link).first().getAttribute("href"))!);
  }
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 844 });
    for (const path of [...ADMIN_PAGES, ...details]) {
      await openPage(page, path);
      await expectFits(page, `${path} at ${width} px`);
    }
  }
});

test("on a phone the menu opens and closes with the keyboard, moves focus in and back, and closes on navigation", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, uniqueEmail("menu"));
  await waitForHydration(page);
  const button = page.getByRole("button", { name: "Menu" });
  const menu = page.locator(`#${await button.getAttribute("aria-controls")}`);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();

  await button.focus();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(await menu.evaluate((el) => el.contains(document.activeElement))).toBe(true);

  await page.keyboard.press("Escape");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(button).toBeFocused();
  await expect(menu).toBeHidden();

  await page.keyboard.press("Space");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  const settings = menu.getByRole("link", { name: "Settings" });
  await settings.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/settings$/);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toBeHidden();
});

for (const width of WIDTHS) {
  test(`at ${width} px a person reaches their activity and a new API key in at most two clicks from the overview`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 844 });
    const email = uniqueEmail("errands");
    await signUp(page, email);
    await buyStarter(page);

    // "why did my balance drop": one click
    await openPage(page, "/wallet");
    await page.getByRole("link", { name: "See all activity" }).first().click();
    await expect(page).toHaveURL(/\/wallet\/activity$/);
    await expect(page.getByRole("table", { name: /ledger/i }).getByText("Purchase")).toBeVisible();

    // and through the tabs: Activity, then the Spends filter (two clicks)
    await openPage(page, "/wallet");
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Activity" }).click();
    await expect(page).toHaveURL(/\/wallet\/activity$/);
    await page.getByRole("navigation", { name: "Filter activity" }).getByRole("link", { name: "Spends" }).click();
    await expect(page).toHaveURL(/kind=spends/);
    await expect(page.getByText("No spends yet")).toBeVisible();

    // "create an API key": one click from the shortcuts, two through Settings
    await openPage(page, "/wallet");
    await page.getByRole("link", { name: "Create an API key" }).click();
    await expect(page).toHaveURL(/\/settings\/api-keys$/);
    await expect(page.getByRole("heading", { name: "Create a key" })).toBeVisible();

    await openPage(page, "/wallet");
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Settings" }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await page.getByRole("link", { name: "Create or revoke API keys" }).click();
    await expect(page.getByRole("heading", { name: "Create a key" })).toBeVisible();
  });
}
