/**
 * The crypto checkout's server actions and the admin's deposit-address action,
 * called as Next calls them (session and request headers mocked, redirects
 * read from Next's own redirect errors):
 * - "Pay with crypto" opens an invoice for the session's user and sends them
 *   to the local test gateway (or the real gateway's page when one is set);
 * - the local test gateway's buttons deliver real signed `invoice.updated`
 *   events over HTTP to our own webhook (a bridge to the real route here), so
 *   credits arrive the way a real payment's do; nobody drives another's invoice;
 * - assigning a deposit address: outcome codes for each refusal, admins only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Session } from "@/lib/auth";

const mocked = vi.hoisted(() => ({ session: null as Session | null, host: "" }));
vi.mock("@/lib/auth", async () => {
  const { notFound, redirect } = await import("next/navigation");
  const requireUser = async () => mocked.session ?? redirect("/login");
  return {
    requireUser,
    requireAdmin: async () => ((await requireUser()).isAdmin ? mocked.session! : notFound()),
  };
});
vi.mock("next/headers", () => ({ headers: async () => new Headers({ host: mocked.host }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

import { assignDepositAddressAction } from "@/app/admin/deposits/actions";
import { payWithCryptoAction, testGatewayAction } from "@/lib/checkout/crypto-actions";
import { POST as invoicesPOST } from "@/app/api/invoices/webhook/route";
import { resetEnvCache } from "@/lib/env";
import { balanceOf, confirmEmail, createUser } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { suiteTempDir } from "../helpers/temp-dir";
import { uid } from "../helpers/stripe";
import { ADMIN_SESSION, confirmedSession } from "../helpers/sessions";

/** Runs a server action and returns where it sent the browser: a redirect's URL, or "404". */
async function outcomeOf(action: Promise<void>): Promise<string> {
  try {
    await action;
  } catch (error) {
    const digest = String((error as { digest?: string }).digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT")) return digest.split(";")[2];
    if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")) return "404";
    throw error;
  }
  throw new Error("the action neither redirected nor answered 404");
}
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe("crypto checkout and the local test gateway", () => {
  const dataDir = suiteTempDir("credits-crypto-test-");
  const t = useRouteSuite("pglite", () => {
    delete process.env.INVOICE_WEBHOOK_SECRET;
    delete process.env.INVOICE_GATEWAY_URL;
    return { APP_DATA_DIR: dataDir.path };
  });
  let bridge: http.Server;
  const delivered: number[] = [];
  let buyer: Session;
  let stranger: Session;

  beforeAll(async () => {
    // Our webhook on a real port: the test gateway posts to APP_URL (never to the request's origin).
    bridge = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const response = await invoicesPOST(
          new Request(`http://${req.headers.host}${req.url}`, {
            method: req.method,
            headers: req.headers as Record<string, string>,
            body: Buffer.concat(chunks),
          }),
        );
        delivered.push(response.status);
        res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
      });
    });
    await new Promise<void>((resolve) => bridge.listen(0, "127.0.0.1", resolve));
    mocked.host = `127.0.0.1:${(bridge.address() as AddressInfo).port}`;
    process.env.APP_URL = `http://${mocked.host}`;
    resetEnvCache();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => bridge.close(() => resolve()));
  });
  beforeEach(async () => {
    buyer = confirmedSession(await createUser(t.db, `${uid("buyer")}@example.com`), "buyer@example.com");
    stranger = confirmedSession(await createUser(t.db, `${uid("stranger")}@example.com`), "stranger@example.com");
    mocked.session = buyer;
    delivered.length = 0;
  });

  const invoiceOf = async (id: string) =>
    (
      await t.db.query<{ user_id: string; package_id: string; state: string }>(
        "select user_id, package_id, state from crypto_invoices where invoice_id = $1",
        [id],
      )
    )[0];
  async function openInvoice(): Promise<string> {
    const location = await outcomeOf(payWithCryptoAction(form({ package_id: "starter" })));
    expect(location).toMatch(/^\/checkout\/crypto\/[A-Za-z0-9_-]+$/);
    return decodeURIComponent(location.split("/").at(-1)!);
  }

  it("opens an invoice for the session's user and sends them to the test gateway", async () => {
    const id = await openInvoice();
    expect(await invoiceOf(id)).toEqual({ user_id: buyer.userId, package_id: "starter", state: "Ready" });
  });

  it("refuses an unknown pack and a signed-out visitor, opening nothing", async () => {
    const before = await t.count("crypto_invoices");
    expect(await outcomeOf(payWithCryptoAction(form({ package_id: "no-such-pack" })))).toBe(
      "/wallet?crypto=unknown-pack",
    );
    mocked.session = null;
    expect(await outcomeOf(payWithCryptoAction(form({ package_id: "starter" })))).toBe("/login");
    expect(await t.count("crypto_invoices")).toBe(before);
  });

  it("completes a payment through signed events to our own webhook: Pending then Complete, credits granted once", async () => {
    const id = await openInvoice();
    const location = await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "complete" })));
    expect(location).toBe("/wallet?checkout=success&package=starter");
    expect(delivered).toEqual([200, 200]);
    expect((await invoiceOf(id)).state).toBe("Complete");
    expect(await balanceOf(t.db, buyer.userId)).toBe(100);
    const events = await t.db.query<{ status: string; state: string }>(
      "select status, payload->'data'->>'state' as state from webhook_events where provider = 'invoices' and external_id = $1 order by received_at",
      [id],
    );
    expect(events).toEqual([
      { status: "processed", state: "Pending" },
      { status: "processed", state: "Complete" },
    ]);
    // completing again sends nothing: the invoice is final
    expect(await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "complete" })))).toBe(
      "/wallet?checkout=success&package=starter",
    );
    expect(delivered).toHaveLength(2);
    expect(await balanceOf(t.db, buyer.userId)).toBe(100);
  });

  it("fails a payment (amount mismatch) without credits", async () => {
    const id = await openInvoice();
    expect(await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "fail" })))).toBe(`/checkout/crypto/${id}`);
    expect((await invoiceOf(id)).state).toBe("Fail");
    expect(await balanceOf(t.db, buyer.userId)).toBe(0);
  });

  it("lets nobody drive another user's invoice, and refuses a malformed step", async () => {
    const id = await openInvoice();
    mocked.session = stranger;
    expect(await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "complete" })))).toBe("404");
    mocked.session = buyer;
    expect(await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "refund-me" })))).toBe("404");
    expect(delivered).toEqual([]);
    expect((await invoiceOf(id)).state).toBe("Ready");
    expect(await balanceOf(t.db, buyer.userId)).toBe(0);
  });

  it("with a real gateway configured: no test gateway, and Pay with crypto goes to the gateway's page", async () => {
    Object.assign(process.env, {
      INVOICE_WEBHOOK_SECRET: "inv_real_secret_for_test",
      INVOICE_GATEWAY_URL: "https://pay.gateway.example/invoice/{invoiceId}",
    });
    resetEnvCache();
    try {
      const location = await outcomeOf(payWithCryptoAction(form({ package_id: "starter" })));
      expect(location).toMatch(/^https:\/\/pay\.gateway\.example\/invoice\/[A-Za-z0-9_-]+$/);
      const id = decodeURIComponent(location.split("/").at(-1)!);
      expect(await outcomeOf(testGatewayAction(form({ invoice_id: id, step: "complete" })))).toBe("404");
      expect(delivered).toEqual([]);
    } finally {
      delete process.env.INVOICE_WEBHOOK_SECRET;
      delete process.env.INVOICE_GATEWAY_URL;
      resetEnvCache();
    }
  });
});

describe("the admin's deposit-address action", () => {
  const t = useRouteSuite("pglite", () => ({}));
  const admin = ADMIN_SESSION;
  const assign = (fields: Record<string, string>) => outcomeOf(assignDepositAddressAction(form(fields)));
  const owner = async (address: string) =>
    (
      await t.db.query<{ user_id: string; asset_id: string }>(
        "select user_id, asset_id from deposit_addresses where lower(address) = lower($1)",
        [address],
      )
    )[0];

  it("assigns an address to the account with that e-mail, once; a repeat is unchanged", async () => {
    const email = `${uid("depositor")}@example.com`;
    const user = await createUser(t.db, email);
    const address = `0x${uid("addr")}`;
    mocked.session = admin;
    expect(await assign({ email: email.toUpperCase(), asset_id: "USDC", address })).toBe(
      "/admin/deposits?done=assigned",
    );
    expect(await owner(address)).toEqual({ user_id: user, asset_id: "USDC" });
    expect(await assign({ email, asset_id: "USDC", address })).toBe("/admin/deposits?done=unchanged");
  });

  it("answers each refusal with its code and writes nothing", async () => {
    const email = `${uid("depositor")}@example.com`;
    const other = `${uid("other")}@example.com`;
    await createUser(t.db, email);
    await createUser(t.db, other);
    const address = `0x${uid("addr")}`;
    mocked.session = admin;
    expect(await assign({ email, asset_id: "USDC", address })).toBe("/admin/deposits?done=assigned");
    const before = await t.count("deposit_addresses");
    // (the same address in another case is issue 12's: SPEC §5 wants addresses unique case-insensitively)
    expect(await assign({ email: other, asset_id: "USDC", address })).toBe("/admin/deposits?error=taken");
    expect(await assign({ email: `${uid("nobody")}@example.com`, asset_id: "USDC", address: `0x${uid("a")}` })).toBe(
      "/admin/deposits?error=no-account",
    );
    expect(await assign({ email, asset_id: "DOGE", address: `0x${uid("a")}` })).toBe("/admin/deposits?error=asset");
    expect(await assign({ email, asset_id: "USDC", address: "has spaces in it" })).toBe(
      "/admin/deposits?error=invalid",
    );
    expect(await t.count("deposit_addresses")).toBe(before);
  });

  it("e-mail ownership: never gives an address to an account whose e-mail is unconfirmed (whoever signed up with the customer's address would collect the deposits)", async () => {
    const email = `${uid("customer")}@example.com`;
    const squatter = await createUser(t.db, email, { confirmed: false });
    const address = `0x${uid("addr")}`;
    mocked.session = admin;
    expect(await assign({ email: email.toUpperCase(), asset_id: "USDC", address })).toBe(
      "/admin/deposits?error=unconfirmed",
    );
    expect(await owner(address)).toBeUndefined();
    await confirmEmail(t.db, squatter); // only the owner of the mailbox can do this
    expect(await assign({ email, asset_id: "USDC", address })).toBe("/admin/deposits?done=assigned");
    expect(await owner(address)).toEqual({ user_id: squatter, asset_id: "USDC" });
  });

  it("is for admins only: a signed-in user gets 404, a signed-out one the login page", async () => {
    const email = `${uid("depositor")}@example.com`;
    await createUser(t.db, email);
    const address = `0x${uid("addr")}`;
    mocked.session = confirmedSession("00000000-0000-4000-8000-000000000002", "user@example.com");
    expect(await assign({ email, asset_id: "USDC", address })).toBe("404");
    mocked.session = null;
    expect(await assign({ email, asset_id: "USDC", address })).toBe("/login");
    expect(await owner(address)).toBeUndefined();
  });
});
