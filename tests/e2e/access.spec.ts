import { expect, test } from "./fixtures";
import { ADMIN_EMAIL, signUp, signUpOrSignIn, uniqueEmail } from "./helpers";

for (const path of ["/wallet", "/wallet/buy", "/wallet/activity", "/purchases", "/settings", "/admin/events"]) {
  test(`a signed-out visitor to ${path} is sent to /login?next=${path}`, async ({ page }) => {
    await page.goto(path);
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent(path)}`);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });
}

test("after signing in from /login?next=/purchases the visitor lands on /purchases", async ({ page }) => {
  await page.goto("/purchases");
  await page.getByRole("link", { name: "Create an account" }).click();
  await signUp(page, uniqueEmail("next"), undefined, "/purchases");
  await expect(page.getByRole("heading", { name: "Purchases" })).toBeVisible();
});

test("a non-admin gets 404 on /admin/events and sees no Admin link", async ({ page }) => {
  await signUp(page, uniqueEmail("user"));
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin/events");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("an admin (ADMIN_EMAILS) sees the Admin link and the event log", async ({ page }) => {
  await signUpOrSignIn(page, ADMIN_EMAIL);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin\/events/);
  const response = await page.reload();
  expect(response?.status()).toBe(200);
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  const email = uniqueEmail("wrong");
  await signUp(page, email);
  await page.context().clearCookies();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password.")).toBeVisible();
});
