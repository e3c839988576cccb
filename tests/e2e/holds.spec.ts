/**
 * Holds and credit lots in the browser: the wallet's available / held / expiring figures and open holds, the
 * ledger's captures and lots, and an admin who sees an account's lots, releases its hold and grants expiring
 * promotional credits.
 */
import type { Browser, Page } from "@playwright/test";
import { expect, test, visitorAddress } from "./fixtures";
import {
  ADMIN_EMAIL,
  buyStarter,
  confirmEmail,
  createApiKey,
  openPage,
  signUp,
  signUpOrSignIn,
  uniqueEmail,
  waitForHydration,
} from "./helpers";

/** A page in a browser context of its own, as its own visitor for the per-address sign-in limits. */
async function newVisitor(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.context().setExtraHTTPHeaders({ "x-forwarded-for": visitorAddress() });
  return page;
}

/** Signs in as the admin and opens the account's page through the search. */
async function openAsAdmin(admin: Page, email: string): Promise<void> {
  await signUpOrSignIn(admin, ADMIN_EMAIL);
  await openPage(admin, "/admin/users");
  await admin.getByLabel("E-mail contains").fill(email);
  await admin.getByRole("button", { name: "Search" }).click();
  await admin.getByRole("link", { name: email }).click();
  await expect(admin.getByRole("heading", { name: email })).toBeVisible();
  await waitForHydration(admin);
}

/** "Dec 20, 2026", as the pages print a day. */
function dayText(date: Date): string {
  return date.toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" });
}

test("a user with an open hold sees what is available and held, captures another, and an admin sees the lots and releases the hold", async ({
  browser,
  request,
}) => {
  const email = uniqueEmail("holder");
  const user = await newVisitor(browser);
  await signUp(user, email);
  await confirmEmail(user, email); // an API key needs a confirmed e-mail
  await buyStarter(user);
  await expect(user.getByTestId("balance")).toHaveText("100 credits");
  await expect(user.getByTestId("available")).toHaveText("100 credits");
  await expect(user.getByTestId("held")).toHaveText("0 credits");
  await expect(user.getByText("No open holds")).toBeVisible();
  await expect(user.getByRole("heading", { name: "Open holds" })).toHaveCount(0); // the wallet lists holds only when there are some
  const key = await createApiKey(user, "Renderer");

  const auth = { authorization: `Bearer ${key}` };
  const hold = (amount: number, idempotencyKey: string, reason: string) =>
    request.post("/api/v1/holds", {
      headers: { ...auth, "idempotency-key": idempotencyKey },
      data: { amount, reason },
    });
  const held = await hold(40, "render-9", "Render #9");
  expect(held.status()).toBe(201);
  const holdId: string = (await held.json()).hold.id;
  const answer = await hold(30, "answer-1", "Answer #1");
  expect(answer.status()).toBe(201);
  const answerId: string = (await answer.json()).hold.id;

  await user.goto("/wallet");
  await expect(user.getByTestId("balance")).toHaveText("100 credits");
  await expect(user.getByTestId("available")).toHaveText("30 credits");
  await expect(user.getByTestId("held")).toHaveText("70 credits");
  const holds = user.getByRole("table", { name: /open holds/i });
  await expect(holds.getByRole("row", { name: /Render #9/ })).toContainText("40");
  await expect(holds.getByRole("row", { name: /Render #9/ })).toContainText(holdId);
  await expect(holds.getByRole("row", { name: /Answer #1/ })).toContainText("30");

  const captured = await request.post(`/api/v1/holds/${answerId}/capture`, { headers: auth, data: { amount: 25 } });
  expect(captured.status()).toBe(200);
  await user.reload();
  await expect(user.getByTestId("balance")).toHaveText("75 credits");
  await expect(user.getByTestId("available")).toHaveText("35 credits");
  await expect(user.getByTestId("held")).toHaveText("40 credits");
  const capture = user.getByRole("table", { name: /ledger/i }).getByRole("row", { name: /Spent from a hold/ });
  await expect(capture).toContainText("Answer #1");
  await expect(capture).toContainText("−25");
  await expect(capture).toContainText("From paid credits");
  await expect(user.getByRole("table", { name: /open holds/i }).getByRole("row", { name: /Answer #1/ })).toHaveCount(0);
  // the activity page finds captures under their own filter
  await openPage(user, "/wallet/activity?kind=captures");
  const captures = user.getByRole("table", { name: /ledger/i });
  await expect(captures.getByRole("row", { name: /Spent from a hold/ })).toHaveCount(1);
  await expect(captures.getByRole("row", { name: /Purchase/ })).toHaveCount(0);

  const admin = await newVisitor(browser);
  await openAsAdmin(admin, email);
  await expect(admin.getByTestId("held")).toHaveText("40 credits");
  const lots = admin.getByRole("table", { name: /credit lots/i });
  const purchase = lots.getByRole("row", { name: /Purchase/ });
  await expect(purchase).toContainText("Paid");
  await expect(purchase).toContainText("100");
  await expect(purchase).toContainText("75");
  await expect(purchase).toContainText("Never");

  const openHold = admin.getByRole("table", { name: /open holds/i }).getByRole("row", { name: /Render #9/ });
  await openHold.getByRole("button", { name: "Release hold" }).click();
  await openHold.getByLabel(/^Reason/).fill("Render worker crashed");
  await openHold.getByRole("button", { name: "Yes, release it" }).click();
  await expect(admin.getByText("Hold released")).toBeVisible();
  await expect(admin.getByRole("region", { name: "Open holds" }).getByText("No open holds")).toBeVisible();
  await expect(admin.getByTestId("held")).toHaveText("0 credits");
  await expect(admin.getByTestId("available")).toHaveText("75 credits");
  // the release is kept with the admin and the reason, beside how the other hold ended
  const settled = admin.getByRole("table", { name: /settled holds/i });
  await expect(settled.getByRole("row", { name: /Render #9/ })).toContainText("Released");
  await expect(settled.getByRole("row", { name: /Render #9/ })).toContainText(
    `by ${ADMIN_EMAIL} · Render worker crashed`,
  );
  await expect(settled.getByRole("row", { name: /Answer #1/ })).toContainText("Captured 25");

  // the integrator's late capture of the released hold is refused and spends nothing
  const late = await request.post(`/api/v1/holds/${holdId}/capture`, { headers: auth, data: {} });
  expect(late.status()).toBe(409);
  expect(await late.json()).toMatchObject({ error: "hold_not_active" });
  const balance = await request.get("/api/v1/balance", { headers: auth });
  expect(await balance.json()).toEqual({ balance: 75, available: 75, held: 0 });

  await openPage(user, "/wallet");
  await expect(user.getByTestId("available")).toHaveText("75 credits");
  await expect(user.getByTestId("held")).toHaveText("0 credits");
  await expect(user.getByRole("heading", { name: "Open holds" })).toHaveCount(0);
});

test("an admin grants promotional credits that expire, the wallet warns they expire soon, and spends take them first", async ({
  browser,
}) => {
  const email = uniqueEmail("promoted");
  const user = await newVisitor(browser);
  await signUp(user, email);
  await buyStarter(user);
  await expect(user.getByTestId("balance")).toHaveText("100 credits");
  await expect(user.getByTestId("expiring")).toHaveText("0 credits");
  await expect(user.getByText("None of your credits expire soon")).toBeVisible();

  const admin = await newVisitor(browser);
  await openAsAdmin(admin, email);
  const lastDay = new Date(Date.now() + 10 * 24 * 60 * 60 * 1000);
  const expiresAt = new Date(`${lastDay.toISOString().slice(0, 10)}T23:59:59Z`); // the end of the chosen day

  // a day in the past is refused before anything is written
  await admin.getByRole("spinbutton", { name: "Credits" }).fill("50");
  await admin.getByLabel("Category").selectOption("promotional");
  await admin.getByLabel(/^Expires after/).fill("2020-01-01");
  await admin.getByLabel(/^Reason \(required/).fill("Launch week promotion");
  await admin.getByLabel(/^Expires after/).evaluate((input) => input.removeAttribute("min")); // past the browser's own check
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("The expiry date must be today or later")).toBeVisible();
  await expect(admin.getByTestId("balance")).toHaveText("100 credits");

  await admin.getByRole("spinbutton", { name: "Credits" }).fill("50");
  await admin.getByLabel("Category").selectOption("promotional");
  await admin.getByLabel(/^Expires after/).fill(lastDay.toISOString().slice(0, 10));
  await admin.getByLabel(/^Reason \(required/).fill("Launch week promotion");
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("Granted 50 credits")).toBeVisible();
  await expect(admin.getByTestId("balance")).toHaveText("150 credits");
  await expect(admin.getByTestId("expiring")).toHaveText("50 credits");
  const promo = admin.getByRole("table", { name: /credit lots/i }).getByRole("row", { name: /Admin grant/ });
  await expect(promo).toContainText("Promotional");
  await expect(promo).toContainText("50");
  await expect(promo).toContainText(dayText(expiresAt));

  await user.goto("/wallet");
  await expect(user.getByTestId("balance")).toHaveText("150 credits");
  await expect(user.getByTestId("expiring")).toHaveText("50 credits");
  await expect(user.getByText(`First on ${dayText(expiresAt)}`)).toBeVisible();
  const grant = user.getByRole("table", { name: /ledger/i }).getByRole("row", { name: /Launch week promotion/ });
  await expect(grant).toContainText("+50");
  await expect(grant).toContainText(`Promotional credits (expiring ${dayText(expiresAt)})`);

  // an admin's deduction takes the soonest-expiring (promotional) credits first
  await admin.getByLabel("Action").selectOption("deduct");
  await admin.getByRole("spinbutton", { name: "Credits" }).fill("20");
  await admin.getByLabel(/^Reason \(required/).fill("Granted twice by mistake");
  await admin.getByRole("button", { name: "Apply adjustment" }).click();
  await expect(admin.getByText("Deducted 20 credits")).toBeVisible();
  await expect(admin.getByTestId("expiring")).toHaveText("30 credits");
  await expect(
    admin.getByRole("table", { name: /ledger/i }).getByRole("row", { name: /Granted twice by mistake/ }),
  ).toContainText(`From promotional credits (expiring ${dayText(expiresAt)})`);
  await expect(admin.getByRole("table", { name: /credit lots/i }).getByRole("row", { name: /Purchase/ })).toContainText(
    "100",
  );
});
