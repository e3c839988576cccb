/** Reusable steps for browser tests: accounts, mailed links, and Stripe events signed the way Stripe signs them. */
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Stripe from "stripe";
import { paidCheckoutEvent } from "../../lib/providers/stripe/test-events";

export const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.example.com";
export const PASSWORD = "correct horse battery staple";

/** A fresh e-mail per test, so tests share one database without seeing each other. */
export function uniqueEmail(prefix = "buyer"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}@e2e.example.com`;
}

export async function signUp(page: Page, email: string, password = PASSWORD, next?: string): Promise<void> {
  await page.goto(next ? `/signup?next=${encodeURIComponent(next)}` : "/signup");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(next ?? /\/wallet/);
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/wallet/);
}

/** Signs up, or signs in when an earlier test already created this account (e.g. the admin); a new account is confirmed. */
export async function signUpOrSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  const outcome = await Promise.race([
    page.waitForURL(/\/wallet/).then(() => "created" as const),
    // Filtered: Next's route announcer is an (empty) role=alert as well.
    page
      .getByRole("alert")
      .filter({ hasText: /account with this e-mail/i })
      .waitFor()
      .then(() => "exists" as const),
  ]);
  if (outcome === "exists") await signIn(page, email, password);
  else await confirmEmail(page, email);
}

interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  at: number;
}

/** The newest mail to `email` that carries a /path?token= link, as delivered to tests/e2e/mail-catcher.ts. */
export async function mailedLink(
  email: string,
  linkPath: "verify-email" | "reset-password",
  after = 0,
): Promise<string> {
  const dir = process.env.E2E_MAIL_DIR;
  if (!dir) throw new Error("E2E_MAIL_DIR is not set (run through playwright.config.ts)");
  const pattern = new RegExp(`https?://\\S+/${linkPath}\\?token=[A-Za-z0-9_-]+`);
  let found: string | undefined;
  await expect
    .poll(
      () => {
        const mails = fs
          .readdirSync(dir)
          .sort()
          .reverse()
          .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as CaughtMail)
          .filter((mail) => mail.at >= after && mail.to.includes(email.toLowerCase()));
        found = mails.map((mail) => pattern.exec(mail.text)?.[0]).find(Boolean);
        return found;
      },
      { message: `a ${linkPath} mail to ${email}`, timeout: 20_000 },
    )
    .toBeTruthy();
  return found!;
}

/** Opens the newest verification link mailed to `email` and confirms, as its owner would (opening alone confirms nothing). */
export async function confirmEmail(page: Page, email: string): Promise<void> {
  const link = new URL(await mailedLink(email, "verify-email"));
  await page.goto(link.pathname + link.search);
  await expect(page.getByRole("heading", { name: "Is this your account?" })).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: email.toLowerCase() })).toBeVisible();
  await expect(page.getByText("Signed in as this account")).toBeVisible();
  await page.getByRole("button", { name: "Yes, this is my account" }).click();
  await expect(page.getByRole("heading", { name: "E-mail confirmed" })).toBeVisible();
}

/** A checkout.session.completed for a pack, paid, as Stripe sends it (buyer by e-mail and/or user id). */
export function checkoutCompletedEvent(options: {
  email: string;
  packageId: string;
  amountMinor: number;
  userId?: string;
}) {
  return paidCheckoutEvent({ idTag: "e2e", ...options });
}

/** POSTs an event to /api/stripe/webhook signed with the server's STRIPE_WEBHOOK_SECRET (set by playwright.config.ts). */
export async function sendStripeEvent(request: APIRequestContext, event: object): Promise<number> {
  const payload = JSON.stringify(event);
  const secret = process.env.E2E_STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new Error("E2E_STRIPE_WEBHOOK_SECRET is not set (run through playwright.config.ts)");
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  const response = await request.post("/api/stripe/webhook", {
    data: payload,
    headers: { "content-type": "application/json", "stripe-signature": signature },
  });
  return response.status();
}

/** Every signed-in page of the account area (the layout, axe and click-path specs visit each). */
export const ACCOUNT_PAGES = [
  "/wallet",
  "/wallet/buy",
  "/wallet/activity",
  "/purchases",
  "/settings",
  "/settings/api-keys",
  "/settings/top-up",
] as const;

/** Every admin page without an id in its path; ADMIN_DETAIL_LINKS find one page of each kind with an id. */
export const ADMIN_PAGES = [
  "/admin/events",
  "/admin/metrics",
  "/admin/users",
  "/admin/deposits",
  "/admin/webhooks",
] as const;

/** The list page and the link on it that opens a detail page (an event, a user). */
export const ADMIN_DETAIL_LINKS = [
  { list: "/admin/events", link: 'a[href^="/admin/events/"]' },
  { list: "/admin/users", link: 'a[href^="/admin/users/"]' },
] as const;

/** Waits until React has hydrated the page (components/hydration-marker.tsx), so clicks reach their handlers. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
}

/** Opens `path` and waits for hydration. */
export async function openPage(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitForHydration(page);
}

/** Buys the Starter pack (100 credits) through the local test checkout, from /wallet/buy. */
export async function buyStarter(page: Page): Promise<void> {
  await openPage(page, "/wallet/buy");
  await page.getByRole("button", { name: "Buy Starter" }).click();
  await expect(page).toHaveURL(/\/checkout\/test\?package=starter/);
  await page.getByRole("button", { name: /Pay \$5\.00/ }).click();
  await expect(page).toHaveURL(/\/wallet\?checkout=success/);
}

/** Creates an API key at /settings/api-keys and returns it (shown once). */
export async function createApiKey(page: Page, name: string): Promise<string> {
  await openPage(page, "/settings/api-keys");
  await page.getByLabel("Key name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^ck_[0-9a-f]{64}$/);
  return (await shown.textContent())!;
}
