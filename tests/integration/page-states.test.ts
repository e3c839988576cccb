/**
 * Every list page has three states: the database did not answer (a notice, no details), nothing yet
 * (an empty state that says what to do), and the list. Rendered here from the real pages and
 * components (server components, to HTML), on a real database and on one that is down.
 */
import { renderToStaticMarkup } from "react-dom/server";
import type { ReactElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_SESSION, confirmedSession } from "../helpers/sessions";

const auth = vi.hoisted(() => ({ user: null as unknown }));
// Pages render here to static HTML, outside Next's app router: client components that refresh it get a stand-in.
vi.mock("next/navigation", async (original) => ({
  ...(await original<typeof import("next/navigation")>()),
  useRouter: () => ({ refresh: () => undefined }),
}));
vi.mock("@/lib/auth", async (original) => ({
  ...(await original<typeof import("@/lib/auth")>()),
  getSession: async () => auth.user,
  requireUser: async () => auth.user,
  requireAdmin: async () => auth.user,
}));

import HomePage from "@/app/(site)/page";
import ApiKeysPage from "@/app/(account)/settings/api-keys/page";
import DepositsPage from "@/app/admin/deposits/page";
import UsersPage from "@/app/admin/users/page";
import WebhooksPage from "@/app/admin/webhooks/page";
import TopupPage from "@/app/(account)/settings/top-up/page";
import { AdminUserSubscription } from "@/components/admin/user-subscription";
import { AdminUserTopups } from "@/components/admin/user-topups";
import { TopupStatus } from "@/components/topup-status-line";
import { DepositAddress } from "@/components/deposit-address";
import { LowBalanceSettingsSection } from "@/components/low-balance-settings";
import { PlansSection } from "@/components/plans-section";
import { DatabaseUnavailableError, setDb, type Database } from "@/lib/db";
import { createApiKey } from "@/lib/db/rpc/api-keys";
import { createWebhookEndpoint } from "@/lib/db/rpc/outgoing-webhooks";
import { createUser } from "../helpers/databases";
import { unique, useTestDatabase } from "../helpers/test-database";

const html = async (element: Promise<ReactElement | null> | ReactElement | null) => renderToStaticMarkup(await element);
const noParams = { searchParams: Promise.resolve({}) };

/** A database that never answers, as the adapters report it. */
const down: Database = {
  mode: "postgres",
  rpc: async () => {
    throw new DatabaseUnavailableError();
  },
  close: async () => {},
};

afterEach(() => setDb(undefined));

describe("list pages when the database is down", () => {
  it("say what could not be loaded and what to do, with no error detail", async () => {
    setDb(down);
    const userId = "00000000-0000-4000-8000-000000000002";
    auth.user = confirmedSession(userId, "user@example.com");
    const keys = await html(ApiKeysPage(noParams));
    expect(keys).toContain("Keys could not be loaded");
    expect(keys).toContain("reload this page in a moment");
    expect(keys).not.toContain("No keys yet");
    expect(keys).not.toContain("database unavailable"); // the error's own message stays on the server

    expect(await html(DepositAddress({ userId }))).toContain("Deposit addresses could not be loaded");
    expect(await html(PlansSection({ userId, testMode: true }))).toContain("Plans could not be loaded");
    expect(await html(LowBalanceSettingsSection({ userId }))).toContain("Your alert setting could not be loaded");
    const topup = await html(TopupPage(noParams));
    expect(topup).toContain("Your automatic top-up settings could not be loaded");
    expect(topup).not.toContain("database unavailable");
    expect(await html(TopupStatus({ userId }))).toContain("Automatic top-up could not be loaded");

    const home = await html(HomePage());
    expect(home).toContain("Packs could not be loaded");
    expect(home).toContain("How it works");

    auth.user = ADMIN_SESSION;
    expect(await html(UsersPage(noParams))).toContain("Accounts could not be loaded");
    expect(await html(DepositsPage(noParams))).toContain("Addresses could not be loaded");
    expect(await html(AdminUserSubscription({ userId }))).toContain("Subscriptions could not be loaded");
    const webhooks = await html(WebhooksPage(noParams));
    expect(webhooks).toContain("Endpoints could not be loaded");
    expect(webhooks).toContain("Deliveries could not be loaded");
    expect(await html(AdminUserTopups({ userId }))).toContain("Automatic top-up could not be loaded");
  });
});

describe("list pages on a real database", () => {
  const t = useTestDatabase("pglite");

  it("show an empty state that says what to do, then the list", async () => {
    setDb(t.db);
    const email = `pages-${unique()}@example.com`;
    const userId = await createUser(t.db, email);
    auth.user = confirmedSession(userId, email);
    const empty = await html(ApiKeysPage(noParams));
    expect(empty).toContain("No keys yet");
    expect(empty).toContain("Create one above");
    expect(empty).not.toContain("could not be loaded");

    await createApiKey(t.db, userId, "Nightly report");
    const home = await html(HomePage());
    expect(home).toContain("Starter");
    expect(home).not.toContain("could not be loaded");

    const listed = await html(ApiKeysPage(noParams));
    expect(listed).toContain("Nightly report");
    expect(listed).not.toContain("No keys yet");

    const noTopup = await html(TopupPage(noParams));
    expect(noTopup).toContain("No card is saved");
    expect(noTopup).toContain("No automatic top-up yet");
    expect(await html(TopupStatus({ userId }))).toContain("Set up automatic top-up");
    await t.db.query("select public.save_card($1, 'cus_pages', 'pm_pages', 'pi_pages', true)", [userId]);
    await t.db.query("select public.set_topup_settings($1, true, 'starter', 50, 2000)", [userId]);
    const topup = await html(TopupPage(noParams));
    expect(topup).toContain("Test card (no real payment)");
    expect(topup).toContain("Automatic top-up is on");
    expect(topup).toContain("$0.00 of $20.00");
    expect(await html(TopupStatus({ userId }))).toContain("Manage automatic top-up");

    auth.user = ADMIN_SESSION;
    expect(await html(DepositsPage(noParams))).toContain("No addresses assigned yet");
    const noHooks = await html(WebhooksPage(noParams));
    expect(noHooks).toContain("No endpoints yet");
    expect(noHooks).toContain("No deliveries yet");
    await createWebhookEndpoint(t.db, "https://hooks.example.com/credits", ["credits.granted"], "Billing backend");
    const hooks = await html(WebhooksPage(noParams));
    expect(hooks).toContain("https://hooks.example.com/credits");
    expect(hooks).toContain("Billing backend");
    expect(hooks).not.toContain("whsec_"); // the secret is shown once, when it is made, never in the list
    expect(await html(AdminUserTopups({ userId }))).toContain("Test card (no real payment)");
    const none = await html(UsersPage({ searchParams: Promise.resolve({ q: "nobody-at-all" }) }));
    expect(none).toContain("No account&#x27;s e-mail contains “nobody-at-all”.");
    const found = await html(UsersPage({ searchParams: Promise.resolve({ q: email }) }));
    expect(found).toContain(email);
    expect(found).toContain("1 matching account");
  });
});
