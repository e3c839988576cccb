/**
 * Browser tests in Chromium against the production build. The web server
 * (tests/e2e/web-server.ts) builds a snapshot of the sources outside the repo
 * into its own dist folder, and starts on a free port with a fresh database
 * and secrets folder under the system temp dir (removed when it stops), so
 * runs never touch .data/, tsconfig.json or another build.
 * Values are computed once and passed to workers through process.env.
 */
import { defineConfig, devices } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { chromiumLaunchOptions } from "./tests/e2e/chromium";

/** The first free port from `from` (synchronous: the config must be plain values). */
function freePort(from: number): string {
  const script = `const net=require('net');(function t(p){const s=net.createServer();s.once('error',()=>t(p+1));
    s.listen(p,'127.0.0.1',()=>{process.stdout.write(String(p));s.close()})})(${from})`;
  return execFileSync(process.execPath, ["-e", script]).toString().trim();
}

/** E2E_BASE_URL: run against a server you started yourself (with E2E_STRIPE_WEBHOOK_SECRET = its secret). */
const externalServer = process.env.E2E_BASE_URL;

/**
 * A folder name under the temp dir, not created here: Playwright evaluates this file in more than one
 * process, and a folder made by one that does not run the tests would be left behind. The web server
 * makes and removes the data folder, the mail catcher (global setup and teardown) the mail folder.
 */
const runFolder = (prefix: string) => path.join(os.tmpdir(), `${prefix}${randomBytes(6).toString("hex")}`);

if (!externalServer) {
  process.env.E2E_PORT ??= freePort(3200);
  process.env.E2E_DATA_DIR ??= runFolder("credits-e2e-");
}
// The app delivers its mail to tests/e2e/mail-catcher.ts (a real SMTP server); tests read links from E2E_MAIL_DIR.
process.env.E2E_SMTP_PORT ??= freePort(2600);
process.env.E2E_MAIL_DIR ??= runFolder("credits-e2e-mail-");
process.env.E2E_STRIPE_WEBHOOK_SECRET ??= `whsec_e2e_${randomBytes(16).toString("hex")}`;
process.env.E2E_ADMIN_EMAIL ??= "admin@e2e.example.com";
const port = process.env.E2E_PORT ?? "";
const dataDir = process.env.E2E_DATA_DIR ?? "";

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: externalServer ? undefined : "./tests/e2e/mail-catcher.ts",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI === "true" ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI === "true" ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    // localhost, not 127.0.0.1: Next.js writes middleware redirects to 127.0.0.1 as localhost, and cookies are per host.
    baseURL: externalServer ?? `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumLaunchOptions,
      },
    },
  ],
  webServer: externalServer
    ? undefined
    : {
        command: "npx tsx tests/e2e/web-server.ts",
        url: `http://localhost:${port}/api/health`,
        timeout: 600_000,
        reuseExistingServer: false,
        // SIGTERM, so tests/e2e/web-server.ts stops next start and removes the run's data folder.
        gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
        stdout: "pipe",
        stderr: "pipe",
        env: {
          E2E_PORT: port,
          APP_DATA_DIR: dataDir,
          PGLITE_DIR: path.join(dataDir, "pglite"),
          ADMIN_EMAILS: process.env.E2E_ADMIN_EMAIL,
          STRIPE_WEBHOOK_SECRET: process.env.E2E_STRIPE_WEBHOOK_SECRET,
          APP_URL: `http://localhost:${port}`,
          // a production build: the local test checkout is a demo there, on only when asked for
          LOCAL_TEST_CHECKOUT: "1",
          SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
          // As behind one reverse proxy: each test names its own client address (tests/e2e/fixtures.ts),
          // so the per-IP sign-up limit applies per test, as it would per visitor.
          TRUST_PROXY: "1",
          // tests/e2e/webhooks.spec.ts receives the outgoing webhooks on 127.0.0.1 over http
          OUTGOING_WEBHOOKS_ALLOW_PRIVATE: "1",
        },
      },
});
