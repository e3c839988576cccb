/**
 * `npm run dev:memory [-- --webpack]`: the dev server's memory after a newcomer's first tour.
 * Starts `next dev` with a fresh dist folder and data folder (a cold start), opens `/` first,
 * then, in Chromium, signs up an admin, buys a pack through the local test checkout and visits
 * every page once. Prints the RSS of the whole `next dev` process tree after each page, and
 * the peak. Figures: docs/performance.md#dev-memory.
 */
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { envForScript } from "../lib/config-check";
import { chromiumLaunchOptions } from "../tests/e2e/chromium";

// The dev server inherits this environment (with the overrides below): a broken one would measure the problem page.
envForScript();

// `npm run dev` is `next dev --turbopack`; --webpack measures the webpack dev server instead.
const turbopack = !process.argv.includes("--webpack");
const port = Number(process.env.DEV_MEMORY_PORT ?? 3099);
const base = `http://localhost:${port}`;
const root = path.resolve(import.meta.dirname, "..");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "credits-dev-memory-"));
const distDir = `.next-dev-memory${turbopack ? "-turbo" : ""}`;
const admin = "admin@dev-memory.example.com";
const password = "correct horse battery staple";

/** RSS in MiB of a process and all its descendants, from /proc. */
function treeRssMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  let kib = 0;
  const visit = (p: number) => {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      /* exited meanwhile */
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return Math.round(kib / 1024);
}

fs.rmSync(path.join(root, distDir), { recursive: true, force: true });
// next dev adds its dist folder's types to tsconfig.json; put the file back afterwards.
const tsconfig = fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
const child = spawn(
  process.execPath,
  [
    path.join(root, "node_modules/next/dist/bin/next"),
    "dev",
    ...(turbopack ? ["--turbopack"] : []),
    "-p",
    String(port),
  ],
  {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "development",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: distDir,
      APP_DATA_DIR: dataDir,
      PGLITE_DIR: path.join(dataDir, "pglite"),
      ADMIN_EMAILS: admin,
      APP_URL: base,
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  },
);
let log = "";
child.stdout.on("data", (d) => (log = (log + d).slice(-100_000)));
child.stderr.on("data", (d) => (log = (log + d).slice(-100_000)));
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, treeRssMiB(child.pid!))), 500);

const rows: Array<[string, number, number]> = [];
try {
  for (;;) {
    try {
      await fetch(`${base}/`, { signal: AbortSignal.timeout(600_000) }).then((r) => r.text());
      break;
    } catch (error) {
      if (!String((error as Error & { cause?: Error }).cause?.message).includes("ECONNREFUSED")) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  rows.push(["GET / (first request, cold)", 0, treeRssMiB(child.pid!)]);

  const browser = await chromium.launch(chromiumLaunchOptions);
  const page = await browser.newPage({ baseURL: base });
  page.setDefaultTimeout(600_000);
  const visit = async (label: string, action: () => Promise<unknown>) => {
    const started = Date.now();
    await action();
    await page.waitForLoadState("load");
    rows.push([label, Date.now() - started, treeRssMiB(child.pid!)]);
  };

  await visit("/signup, create the admin account", async () => {
    await page.goto("/signup");
    await page.getByLabel("E-mail").fill(admin);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: /create account/i }).click();
    await page.waitForURL(/\/wallet/);
  });
  // Local accounts confirm their address through a mailed link; outside production it is on /dev/mailbox.
  const mailbox = await page.request.get("/dev/mailbox");
  const link = mailbox.ok() ? /href="([^"]*\/verify-email\?token=[^"]+)"/.exec(await mailbox.text())?.[1] : undefined;
  if (link) await visit("/verify-email (link from /dev/mailbox)", () => page.goto(link.replaceAll("&amp;", "&")));
  await visit("/wallet", () => page.goto("/wallet"));
  await visit("Buy → /checkout/test → Pay", async () => {
    await page.getByRole("button", { name: /^buy/i }).first().click();
    await page.waitForURL(/\/checkout\/test/);
    await page.getByRole("button", { name: /^pay/i }).click();
    await page.waitForURL(/\/wallet/);
  });
  for (const p of [
    "/",
    "/login",
    "/purchases",
    "/settings/api-keys",
    "/admin",
    "/admin/events",
    "/admin/metrics",
    "/admin/deposits",
    "/admin/users",
    "/dev/mailbox",
  ]) {
    await visit(p, () => page.goto(p));
  }
  await browser.close();
  await new Promise((r) => setTimeout(r, 2_000));
  rows.push(["after the tour (settled 2 s)", 0, treeRssMiB(child.pid!)]);
} catch (error) {
  console.error(`dev-memory failed: ${(error as Error).message}\n--- next dev log (tail)\n${log.slice(-3000)}`);
  process.exitCode = 1;
} finally {
  clearInterval(sampler);
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    /* gone */
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.writeFileSync(path.join(root, "tsconfig.json"), tsconfig);
  fs.rmSync(path.join(root, distDir), { recursive: true, force: true });
}

console.log(`next dev${turbopack ? " --turbopack" : ""} on Node ${process.versions.node}: RSS of the process tree`);
console.log("| step | ms | RSS MiB |\n|---|---|---|");
for (const [label, ms, rss] of rows) console.log(`| ${label} | ${ms || ""} | ${rss} |`);
console.log(`peak RSS (sampled every 0.5 s): ${peak} MiB`);
