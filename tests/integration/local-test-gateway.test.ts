/**
 * The local crypto test gateway's buttons (testGatewayAction) send signed
 * invoice.updated events to our own webhook. Where they go must be APP_URL:
 * never an origin built from the request's Host / X-Forwarded-Host / -Proto
 * (a signed-in caller could otherwise point our server, and our signed
 * events, at any host), and a redirect from that address is not followed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Session } from "@/lib/auth";

const request = vi.hoisted(() => ({ session: null as Session | null, headers: new Headers() }));
vi.mock("@/lib/auth", () => ({ requireUser: async () => request.session }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`redirect:${url}`);
  },
  notFound: () => {
    throw new Error("not-found");
  },
}));

import { testGatewayAction } from "@/lib/checkout/crypto-actions";
import { openCryptoInvoice } from "@/lib/db/rpc/providers";
import { resetEnvCache } from "@/lib/env";
import { createUser } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { suiteTempDir } from "../helpers/temp-dir";

interface Server {
  origin: string;
  paths: string[];
  close(): Promise<void>;
}

async function server(answer: (res: http.ServerResponse) => void): Promise<Server> {
  const paths: string[] = [];
  const s = http.createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume().on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => s.close(() => resolve())),
  };
}
const accepting = () =>
  server((res) => res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}'));

describe("local crypto test gateway: where signed events go", () => {
  const dataDir = suiteTempDir("credits-test-gateway-");
  const t = useRouteSuite("pglite", () => ({ APP_DATA_DIR: dataDir.path, INVOICE_WEBHOOK_SECRET: "" }));
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  let userId: string;
  beforeAll(async () => {
    userId = await createUser(t.db, "gateway-buyer@example.com");
    request.session = { userId, email: "gateway-buyer@example.com", isAdmin: false, emailConfirmed: false };
  });

  const press = async (step: string) => {
    const invoice = await openCryptoInvoice(t.db, userId, "starter");
    const form = new FormData();
    form.set("invoice_id", invoice.invoice_id);
    form.set("step", step);
    return testGatewayAction(form).then(
      () => "returned",
      (error: Error) => error.message,
    );
  };

  it("posts to APP_URL whatever Host and X-Forwarded-Host / -Proto the request carries", async () => {
    const own = await accepting();
    const attacker = await accepting();
    servers.push(own, attacker);
    process.env.APP_URL = own.origin;
    resetEnvCache();
    const host = new URL(attacker.origin).host;
    request.headers = new Headers({ host, "x-forwarded-host": host, "x-forwarded-proto": "http" });
    expect(await press("pending")).toMatch(/^redirect:\/checkout\/crypto\/inv_/);
    expect(attacker.paths).toEqual([]);
    expect(own.paths).toEqual(["/api/invoices/webhook"]);
  });

  it("does not follow a redirect from APP_URL: the event goes nowhere else and the page shows the error", async () => {
    const elsewhere = await accepting();
    servers.push(elsewhere);
    const redirecting = await server((res) => res.writeHead(307, { location: `${elsewhere.origin}/collect` }).end());
    servers.push(redirecting);
    process.env.APP_URL = redirecting.origin;
    resetEnvCache();
    const host = new URL(redirecting.origin).host;
    request.headers = new Headers({ host });
    expect(await press("pending")).toMatch(/\?error=webhook$/);
    expect(redirecting.paths).toEqual(["/api/invoices/webhook"]);
    expect(elsewhere.paths).toEqual([]);
  });
});
