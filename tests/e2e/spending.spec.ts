import { expect, test } from "@playwright/test";
import { confirmEmail, signUp, uniqueEmail } from "./helpers";

test("a user creates an API key, spends with it over HTTP, sees the spend with its reason in the ledger, and revokes it", async ({
  page,
  request,
}) => {
  const email = uniqueEmail("spender");
  await signUp(page, email);
  await confirmEmail(page, email); // a key spends the account's credits: only a confirmed account may have one
  await page.goto("/wallet/buy");
  await page.getByRole("button", { name: "Buy Starter" }).click();
  await page.getByRole("button", { name: /Pay \$5\.00/ }).click();
  await expect(page.getByTestId("balance")).toHaveText("100 credits");

  await page.getByRole("link", { name: "Create an API key" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys/);
  await expect(page.getByText("No keys yet")).toBeVisible();
  await page.getByLabel("Key name").fill("E2E backend");
  await page.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^ck_[0-9a-f]{64}$/);
  const key = (await shown.textContent())!;
  await expect(page.getByRole("row", { name: /E2E backend/ })).toContainText(`${key.slice(0, 11)}…`);
  await expect(page.getByRole("row", { name: /E2E backend/ })).toContainText("Never");

  const auth = { authorization: `Bearer ${key}` };
  const spend = (amount: number, idempotencyKey: string) =>
    request.post("/api/v1/spend", {
      headers: { ...auth, "idempotency-key": idempotencyKey },
      data: { amount, reason: "Rendered report #7" },
    });
  const first = await spend(30, "report-7");
  expect(first.status()).toBe(200);
  expect(await first.json()).toEqual({ outcome: "spent", balance: 70, spent: 30 });
  const retry = await spend(30, "report-7");
  expect(await retry.json()).toEqual({ outcome: "duplicate", balance: 70, spent: 30 });
  const tooMuch = await spend(71, "report-8");
  expect(tooMuch.status()).toBe(402);
  expect(await tooMuch.json()).toEqual({ error: "insufficient_credits", balance: 70 });
  const balance = await request.get("/api/v1/balance", { headers: auth });
  expect(await balance.json()).toEqual({ balance: 70, available: 70, held: 0 });

  await page.getByRole("link", { name: "Wallet" }).click();
  await expect(page.getByTestId("balance")).toHaveText("70 credits");
  const spent = page.getByRole("table", { name: /ledger/i }).getByRole("row", { name: /Spent/ });
  await expect(spent).toHaveCount(1);
  await expect(spent).toContainText("Rendered report #7");
  await expect(spent).toContainText("−30");

  await page.goto("/settings/api-keys");
  const row = page.getByRole("row", { name: /E2E backend/ });
  await expect(row).not.toContainText("Never");
  await expect(page.getByTestId("new-api-key")).toHaveCount(0); // shown once, never again
  await row.getByRole("button", { name: "Revoke key E2E backend" }).click();
  await expect(page.getByText("Key revoked")).toBeVisible();
  await expect(page.getByRole("row", { name: /E2E backend/ })).toContainText("Revoked");
  const refused = await spend(1, "after-revoke");
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: "unauthorized" });
});
