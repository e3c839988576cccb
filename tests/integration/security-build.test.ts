/**
 * The production build keeps secrets server-side and sends the security headers.
 * Builds .next-security with distinctive fake secrets in the build environment,
 * scans every client bundle under <distDir>/static for them, then serves the
 * build with the same secrets at run time and scans what the browser really
 * receives: the HTML and the RSC payload of every page, signed out and signed
 * in as an admin (embedded mode), and in Supabase mode for the service-role
 * key. Also the headers, scripts only from our own origin, and the server log.
 * Behind RUN_FAULT_TESTS=1 (a production build, ~2 min).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Stripe from "stripe";
import startMailCatcher from "../e2e/mail-catcher";
import { ensureBuild, freePort, startNextServer, type Build, type NextServer } from "../helpers/server";
import { makeTempDir } from "../helpers/temp-dir";

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

/** Every secret the app reads at run time in embedded mode (the service-role key only exists in Supabase mode). */
const { SUPABASE_SERVICE_ROLE_KEY, ...RUNTIME_SECRETS } = FAKE_SECRETS;
const ADMIN_EMAIL = "leakcheck-admin@example.com";
const PASSWORD = "leakcheck password, long enough";
/** Fields of a webhook payload that must not reach the server log (PII / card data). */
const PAYLOAD_FIELDS = {
  email: "leakcheck-buyer-pii@example.com",
  name: "Leakcheck Buyer-Name",
  last4: "4242-LEAKCHECK",
};

/** The secrets (or their base64) found in a text, by name. */
function leaksIn(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => text.includes(value) || text.includes(Buffer.from(value).toString("base64")))
    .map(([name]) => name);
}

/** A page as a browser gets it: the HTML document and the RSC payload of a client-side navigation. */
async function servedPayloads(
  url: string,
  cookie: string,
): Promise<Array<{ what: string; status: number; text: string }>> {
  const html = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const rsc = await fetch(url, { headers: { cookie, rsc: "1" }, redirect: "manual" });
  return [
    { what: `${url} (html)`, status: html.status, text: await html.text() },
    { what: `${url} (rsc)`, status: rsc.status, text: await rsc.text() },
  ];
}

/**
 * Submits a server-action form the way a browser without JavaScript does: every field of the
 * rendered form (Next's hidden $ACTION_* fields included) plus ours. The form is the first one
 * holding `button` (its submit button's text), else the first holding all of `fields`' names.
 * Returns the Set-Cookie header.
 */
async function submitForm(
  url: string,
  fields: Record<string, string>,
  button?: string,
): Promise<{ status: number; cookie: string }> {
  const page = await (await fetch(url)).text();
  const html =
    [...page.matchAll(/<form[\s\S]*?<\/form>/g)]
      .map((m) => m[0])
      .find((f) =>
        button ? f.includes(`>${button}<`) : Object.keys(fields).every((name) => f.includes(`name="${name}"`)),
      ) ?? "";
  const form = new FormData();
  const unescape = (text: string) =>
    text.replace(
      /&(quot|amp|lt|gt|#x27|#39);/g,
      (_m, e: string) => ({ quot: '"', amp: "&", lt: "<", gt: ">", "#x27": "'", "#39": "'" })[e]!,
    );
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    if (name) form.set(unescape(name), unescape(/value="([^"]*)"/.exec(m[0])?.[1] ?? ""));
  }
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const response = await fetch(url, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { origin: new URL(url).origin },
  });
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { status: response.status, cookie };
}

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
  let mailDir: string;
  let stopMailCatcher: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    build = await ensureBuild({ distDir: ".next-security", env: FAKE_SECRETS });
    dataDir = makeTempDir("credits-security-test-");
    // A real SMTP catcher: the admin confirms their address through the mailed link, as ADMIN_EMAILS requires.
    mailDir = path.join(dataDir, "mail");
    process.env.E2E_MAIL_DIR = mailDir;
    process.env.E2E_SMTP_PORT = String(await freePort(3560, 3569));
    stopMailCatcher = await startMailCatcher();
    server = await startNextServer({
      build,
      port: await freePort(3550, 3559),
      env: {
        PGLITE_DIR: path.join(dataDir, "pglite"),
        APP_DATA_DIR: dataDir,
        ADMIN_EMAILS: ADMIN_EMAIL,
        SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
        ...RUNTIME_SECRETS,
      },
      timeoutMs: 300_000, // the first request creates and migrates PGlite: over a minute on a loaded machine
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.stop();
    await stopMailCatcher?.();
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
    const leaks = files.flatMap((file) =>
      leaksIn(fs.readFileSync(file, "latin1"), FAKE_SECRETS).map(
        (name) => `${name} in ${path.relative(build.root, file)}`,
      ),
    );
    expect(leaks).toEqual([]);
  });

  it("serves no runtime secret in the HTML or RSC payload of any page, signed out or signed in as an admin", async () => {
    // an admin account (ADMIN_EMAILS), signed up through the real form, and one webhook event to show
    const signup = await submitForm(`${server.url}/signup`, {
      email: ADMIN_EMAIL,
      password: PASSWORD,
      next: "/wallet",
    });
    expect(signup.cookie, `sign-up answered ${signup.status}`).not.toBe("");
    // admin rights follow a confirmed address only: open the verification link the app mailed
    let token: string | undefined;
    for (const deadline = Date.now() + 120_000; !token && Date.now() < deadline;) {
      const mails = fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [];
      for (const file of mails) {
        const mail = JSON.parse(fs.readFileSync(path.join(mailDir, file), "utf8")) as { to: string[]; text: string };
        if (mail.to.includes(ADMIN_EMAIL)) token ??= /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      }
      if (!token) await new Promise((r) => setTimeout(r, 500));
    }
    expect(token, "the verification mail reached the SMTP catcher").toBeDefined();
    // opening the link confirms nothing: the page asks, and the click (a form post) confirms
    const verified = await submitForm(`${server.url}/verify-email?token=${token}`, {}, "Yes, this is my account");
    expect(verified.status).toBe(303);
    const event = {
      id: `evt_leakcheck_${Date.now()}`,
      object: "event",
      type: "checkout.session.completed",
      api_version: "2025-03-31.basil",
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: "cs_leakcheck",
          object: "checkout.session",
          mode: "payment",
          payment_status: "paid",
          payment_intent: "pi_leakcheck",
          customer_details: { email: PAYLOAD_FIELDS.email, name: PAYLOAD_FIELDS.name },
          amount_total: 500,
          currency: "usd",
          metadata: { package_id: "starter" },
        },
      },
    };
    const body = JSON.stringify(event);
    const delivered = await fetch(`${server.url}/api/stripe/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "stripe-signature": Stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret: FAKE_SECRETS.STRIPE_WEBHOOK_SECRET,
        }),
      },
      body,
    });
    expect(delivered.status).toBe(200);
    const eventsHtml = await (await fetch(`${server.url}/admin/events`, { headers: { cookie: signup.cookie } })).text();
    const eventPath = /href="(\/admin\/events\/[0-9a-f-]{36})"/.exec(eventsHtml)?.[1];
    expect(eventPath, "the admin event log links the event").toBeDefined();

    const pages = [
      "/",
      "/login",
      "/signup",
      "/wallet",
      "/wallet/buy",
      "/wallet/activity",
      "/settings",
      "/settings/api-keys",
      "/settings/top-up",
      "/purchases",
      "/admin",
      "/admin/events",
      eventPath!,
      "/admin/metrics",
      "/admin/deposits",
      "/admin/webhooks",
      "/checkout/test?package=starter",
      "/checkout/crypto/inv_leakcheck",
      "/no-such-page",
    ];
    const leaks: string[] = [];
    const statuses: Record<string, number> = {};
    for (const cookie of ["", signup.cookie]) {
      for (const pathname of pages) {
        for (const payload of await servedPayloads(server.url + pathname, cookie)) {
          if (cookie) statuses[payload.what] = payload.status;
          leaks.push(
            ...leaksIn(payload.text, RUNTIME_SECRETS).map(
              (name) => `${name} in ${payload.what}${cookie ? " signed in" : ""}`,
            ),
          );
        }
      }
    }
    expect(leaks).toEqual([]);
    // the signed-in pass really rendered the account and admin pages (not redirects to /login)
    for (const pathname of [
      "/wallet",
      "/wallet/buy",
      "/wallet/activity",
      "/settings",
      "/settings/api-keys",
      "/settings/top-up",
      "/purchases",
      "/admin/events",
      eventPath!,
      "/admin/metrics",
      "/admin/deposits",
      "/admin/webhooks",
    ]) {
      expect(statuses[`${server.url}${pathname} (html)`], pathname).toBe(200);
      expect(statuses[`${server.url}${pathname} (rsc)`], pathname).toBe(200);
    }
  });

  it("serves no service-role key in any page in Supabase mode (the key is read at run time)", async () => {
    const supabase = await startNextServer({
      build,
      port: await freePort(3550, 3559),
      env: {
        APP_DATA_DIR: dataDir,
        NEXT_PUBLIC_SUPABASE_URL: "http://127.0.0.1:9", // nothing listens: pages render their error states
        NEXT_PUBLIC_SUPABASE_ANON_KEY: "fake-anon-key",
        SUPABASE_SERVICE_ROLE_KEY,
        ...RUNTIME_SECRETS,
      },
      timeoutMs: 120_000,
    });
    try {
      const leaks: string[] = [];
      for (const pathname of ["/", "/login", "/signup", "/wallet", "/admin/events", "/api/health", "/no-such-page"]) {
        for (const payload of await servedPayloads(supabase.url + pathname, "")) {
          leaks.push(...leaksIn(payload.text, FAKE_SECRETS).map((name) => `${name} in ${payload.what}`));
        }
      }
      expect(leaks).toEqual([]);
      expect(leaksIn(supabase.output(), FAKE_SECRETS)).toEqual([]);
    } finally {
      await supabase.stop();
    }
  });

  it("logs no secret and no payload field while serving all of the above", () => {
    const log = server.output();
    expect(log.length).toBeGreaterThan(0);
    expect(leaksIn(log, { ...RUNTIME_SECRETS, ...PAYLOAD_FIELDS, PASSWORD })).toEqual([]);
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
      expect(
        sources.filter((s) => /^(https?:)?\/\//.test(s) && !s.startsWith(server.url)),
        pathname,
      ).toEqual([]);
      // No inline event handler attributes: they would need 'unsafe-hashes'.
      expect(html, pathname).not.toMatch(/\son(click|load|error|submit)="/);
    }
  });
});
