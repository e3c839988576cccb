/** An admin finds an account by e-mail and grants and deducts credits with a reason; the user sees it in their ledger. */
import { expect, test } from "@playwright/test";
import { ADMIN_EMAIL, signUp, signUpOrSignIn, uniqueEmail } from "./helpers";

test("an admin finds a user by e-mail, grants and deducts credits with a reason, and the user sees the adjustment", async ({
  browser,
}) => {
  const email = uniqueEmail("adjusted");
  const user = await browser.newPage();
  await signUp(user, email);

  const admin = await browser.newPage();
  // a new admin account is confirmed too: ADMIN_EMAILS counts only a confirmed address
  await signUpOrSignIn(admin, ADMIN_EMAIL);

  await admin.goto("/admin/users");
  await admin.getByLabel("E-mail contains").fill(email.slice(0, 20).toUpperCase());
  await admin.getByRole("button", { name: "Search" }).click();
  await admin.getByRole("link", { name: email }).click();
  await expect(admin.getByRole("heading", { name: email })).toBeVisible();

  await admin.getByRole("spinbutton", { name: "Credits" }).fill("300");
  await admin.getByLabel(/^Reason \(required/).fill("Goodwill for the outage");
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("Granted 300 credits")).toBeVisible();
  await expect(admin.getByTestId("balance")).toHaveText("300 credits");

  await admin.getByLabel("Action").selectOption("deduct");
  await admin.getByRole("spinbutton", { name: "Credits" }).fill("301");
  await admin.getByLabel(/^Reason \(required/).fill("More than there is");
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("The deduction is larger than the balance")).toBeVisible();

  await admin.getByLabel("Action").selectOption("deduct");
  await admin.getByRole("spinbutton", { name: "Credits" }).fill("120");
  await admin.getByLabel(/^Reason \(required/).fill("Duplicate grant");
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("Deducted 120 credits")).toBeVisible();
  const ledger = admin.getByRole("table", { name: /ledger/i });
  await expect(ledger.getByRole("row", { name: /Duplicate grant/ })).toContainText(`by ${ADMIN_EMAIL}`);

  await user.goto("/wallet");
  await expect(user.getByTestId("balance")).toHaveText("180 credits");
  await expect(
    user.getByRole("table", { name: /ledger/i }).getByRole("row", { name: /Goodwill for the outage/ }),
  ).toContainText("+300");
  await expect(user.getByRole("table", { name: /ledger/i }).getByText(ADMIN_EMAIL)).toHaveCount(0);

  // a non-admin gets the ordinary 404 for the admin pages
  await user.goto("/admin/users");
  await expect(user.getByText(/not found|404/i).first()).toBeVisible();
});
