/** Reusable steps for browser tests: accounts, and Stripe events signed the way Stripe signs them. */
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
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

/** Signs up, or signs in when an earlier test already created this account (e.g. the admin). */
export async function signUpOrSignIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  const outcome = await Promise.race([
    page.waitForURL(/\/wallet/).then(() => "created" as const),
    page.getByText("already exists").waitFor().then(() => "exists" as const),
  ]);
  if (outcome === "exists") await signIn(page, email, password);
}

/** A checkout.session.completed for a pack, paid, as Stripe sends it (buyer by e-mail and/or user id). */
export function checkoutCompletedEvent(options: { email: string; packageId: string; amountMinor: number; userId?: string }) {
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
