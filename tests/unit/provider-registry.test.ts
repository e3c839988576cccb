/**
 * One provider list (lib/providers/names.ts): what cannot import it is checked
 * against it here — the handler registry, the route files, middleware.ts's
 * matcher, next.config.ts's security-header rule and the SQL checks.
 */
import fs from "node:fs";
import path from "node:path";
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import { unstable_doesMiddlewareMatch, unstable_getResponseFromNextConfig } from "next/experimental/testing/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providers } from "@/lib/providers";
import { PAYMENT_PROVIDERS, PROVIDERS } from "@/lib/providers/names";
import { config as middlewareConfig } from "@/middleware";
import config from "@/next.config";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";

const nextConfig = config(PHASE_PRODUCTION_BUILD);

const sorted = (values: Iterable<string>) => [...values].sort();

describe("the provider registry", () => {
  it("has one handler per name, each under its own name", () => {
    expect(sorted(Object.keys(providers))).toEqual(sorted(PROVIDERS));
    for (const name of PROVIDERS) expect(providers[name].name).toBe(name);
  });

  it.each(PROVIDERS)("%s has its route at app/api/<name>/webhook, served by its registry entry", (name) => {
    const source = fs.readFileSync(path.join(process.cwd(), "app/api", name, "webhook/route.ts"), "utf8");
    expect(source).toMatch(/export const POST = webhookRoute\(\w+\)/);
    expect(source).toContain(`@/lib/providers/${name}`);
  });

  it("has no webhook route without a provider", () => {
    const routes = fs
      .readdirSync(path.join(process.cwd(), "app/api"))
      .filter((dir) => fs.existsSync(path.join(process.cwd(), "app/api", dir, "webhook/route.ts")));
    expect(sorted(routes)).toEqual(sorted(PROVIDERS));
  });

  it.each(PROVIDERS)("middleware skips /api/%s/webhook (no session there)", (name) => {
    expect(unstable_doesMiddlewareMatch({ config: middlewareConfig, url: `/api/${name}/webhook` })).toBe(false);
  });

  it.each(PROVIDERS)("/api/%s/webhook answers without the browser security headers", async (name) => {
    const response = await unstable_getResponseFromNextConfig({
      url: `http://localhost/api/${name}/webhook`,
      nextConfig,
    });
    expect(response.headers.get("content-security-policy")).toBeNull();
  });

  it("keeps the security headers everywhere else", async () => {
    for (const url of ["/", "/wallet", "/api/health", "/api/stripe/webhook/x", "/api/paystack/callback"]) {
      const response = await unstable_getResponseFromNextConfig({ url: `http://localhost${url}`, nextConfig });
      expect(response.headers.get("content-security-policy"), url).not.toBeNull();
    }
  });
});

describe("the SQL checks name the same providers", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => t?.drop());

  /** The names a `provider in ('a', 'b', …)` check of a table allows. */
  async function checkOf(table: string): Promise<string[]> {
    const rows = await t.db.query<{ def: string }>(
      `select pg_get_constraintdef(c.oid) as def from pg_constraint c
        where c.conrelid = $1::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%provider%'`,
      [`public.${table}`],
    );
    expect(rows, `one provider check on ${table}`).toHaveLength(1);
    return sorted([...rows[0].def.matchAll(/'([a-z0-9_-]+)'::text/g)].map((m) => m[1]));
  }

  it("webhook_events.provider: every provider", async () => {
    expect(await checkOf("webhook_events")).toEqual(sorted(PROVIDERS));
  });

  it.each(["purchases", "purchase_payments"])("%s.provider: the payment providers", async (table) => {
    expect(await checkOf(table)).toEqual(sorted(PAYMENT_PROVIDERS));
  });

  it("grant_credits_for_purchase accepts the payment providers and refuses the rest", async () => {
    const [row] = await t.db.query<{ def: string }>(
      "select pg_get_functiondef('public.grant_credits_for_purchase'::regproc) as def",
    );
    const guard = /p_provider not in \(([^)]*)\)/.exec(row.def);
    expect(guard).not.toBeNull();
    expect(sorted([...guard![1].matchAll(/'([a-z0-9_-]+)'/g)].map((m) => m[1]))).toEqual(sorted(PAYMENT_PROVIDERS));
  });
});
