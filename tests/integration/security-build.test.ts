/**
 * The production build keeps secrets server-side and sends the security headers.
 * Builds .next-security with distinctive fake secrets in the build environment,
 * scans every client bundle under <distDir>/static for them, then serves the
 * build (embedded mode) and checks the headers and that pages load scripts
 * only from our own origin. Behind RUN_FAULT_TESTS=1 (a production build, ~2 min).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, startNextServer, type Build, type NextServer } from "../helpers/server";

const enabled = process.env.RUN_FAULT_TESTS === "1";

/** Present at build time; none of them may reach a file the browser downloads. */
const FAKE_SECRETS = {
  SUPABASE_SERVICE_ROLE_KEY: "fake-service-role-key-7d1c0a4e9b2f-LEAKCHECK",
  AUTH_SECRET: "fake-auth-secret-3b8e5f21c9d04a7e-LEAKCHECK",
  STRIPE_WEBHOOK_SECRET: "whsec_fake_9c2d7e14b3a8f605LEAKCHECK",
  STRIPE_SECRET_KEY: "sk_test_fake51c8e2d9a47b3f60LEAKCHECK",
  PAYSTACK_SECRET_KEY: "sk_test_paystack_fake_a91b7c3dLEAKCHECK",
  INVOICE_WEBHOOK_SECRET: "fake-invoice-secret-5e0f2a8c-LEAKCHECK",
  TRADINGVIEW_WEBHOOK_SECRET: "fake-tradingview-secret-c4d8-LEAKCHECK",
  CRON_SECRET: "fake-cron-secret-1f6b9e03-LEAKCHECK",
  METRICS_TOKEN: "fake-metrics-token-82a5d7c1-LEAKCHECK",
};

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe.skipIf(!enabled)("production build: secrets and security headers", () => {
  let build: Build;
  let server: NextServer;
  let dataDir: string;

  beforeAll(async () => {
    build = await ensureBuild({ distDir: ".next-security", env: FAKE_SECRETS });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "credits-security-"));
    server = await startNextServer({
      build,
      port: await freePort(3550, 3559),
      env: {
        PGLITE_DIR: path.join(dataDir, "pglite"),
        APP_DATA_DIR: dataDir,
        STRIPE_WEBHOOK_SECRET: FAKE_SECRETS.STRIPE_WEBHOOK_SECRET,
        AUTH_SECRET: FAKE_SECRETS.AUTH_SECRET,
      },
      timeoutMs: 120_000,
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("holds the optional manifests Next 15.5 would otherwise try to read on every request (next.config.ts)", () => {
    for (const file of ["server/subresource-integrity-manifest.json", "dynamic-css-manifest"]) {
      const target = path.join(build.root, build.distDir, file);
      expect(fs.existsSync(target), file).toBe(true);
      expect(JSON.parse(fs.readFileSync(target, "utf8"))).toEqual({});
    }
  });

  it("ships no secret in any client bundle", () => {
    const files = filesUnder(path.join(build.root, build.distDir, "static"));
    expect(files.some((f) => f.endsWith(".js"))).toBe(true);
    const leaks: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(file, "latin1");
      for (const [name, value] of Object.entries(FAKE_SECRETS)) {
        if (text.includes(value) || text.includes(Buffer.from(value).toString("base64"))) {
          leaks.push(`${name} in ${path.relative(build.root, file)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it.each(["/", "/login", "/api/health"])("sends the security headers on %s", async (pathname) => {
    const response = await fetch(server.url + pathname, { redirect: "manual" });
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("serves pages whose scripts and styles all come from our own origin (what the CSP allows)", async () => {
    for (const pathname of ["/", "/login", "/signup"]) {
      const html = await (await fetch(server.url + pathname)).text();
      const sources = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(sources.length, pathname).toBeGreaterThan(0);
      expect(sources.filter((s) => /^(https?:)?\/\//.test(s) && !s.startsWith(server.url)), pathname).toEqual([]);
      // No inline event handler attributes: they would need 'unsafe-hashes'.
      expect(html, pathname).not.toMatch(/\son(click|load|error|submit)="/);
    }
  });
});
