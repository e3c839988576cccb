import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { requestCookieJar, signUp } from "@/lib/auth";
import { SESSION_COOKIE } from "@/lib/auth/claims";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { startPaystackCheckout } from "@/lib/checkout/paystack-checkout";
import { payTestCheckout, startCheckout } from "@/lib/checkout/routes";
import { openBillingPortal, testSubscriptionAction } from "@/lib/checkout/subscription-routes";
import { GET as paystackCallback } from "@/app/api/paystack/callback/route";
import { POST as stripeWebhook } from "@/app/api/stripe/webhook/route";
import { setDb, type SqlDatabase } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";
import { suiteTempDir } from "../helpers/temp-dir";

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in HTTP server on 127.0.0.1 that records every request and answers with `reply`. */
async function recordingServer(reply: (r: Recorded) => { status: number; body: unknown }) {
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const recorded = { method: req.method!, url: req.url!, headers: req.headers, body };
      requests.push(recorded);
      const { status, body: answer } = reply(recorded);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Runs `run` with a recording server, and closes the server afterwards whatever happens. */
async function withRecordingServer<T>(
  reply: (r: Recorded) => { status: number; body: unknown },
  run: (server: Awaited<ReturnType<typeof recordingServer>>) => Promise<T>,
): Promise<T> {
  const server = await recordingServer(reply);
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** A server on 127.0.0.1 that hands every request to `handler` (a route handler of ours). */
async function forwardingServer(handler: (request: Request) => Promise<Response>) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      void handler(
        new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }),
      )
        .then(async (response) =>
          res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text()),
        )
        .catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let t: TestDatabase;
let db: SqlDatabase;
let cookie: string;
let userId: string;
const BUYER = "buyer@example.com";
const WEBHOOK_SECRET = "whsec_checkout_test_0123456789";

function checkoutRequest(
  body: Record<string, string>,
  options: { signedIn?: boolean; origin?: string; path?: string } = {},
) {
  return new Request(`${options.origin ?? "http://app.test"}${options.path ?? "/api/checkout"}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(options.signedIn !== false && { cookie: `${SESSION_COOKIE}=${cookie}` }),
    },
    body: new URLSearchParams(body),
  });
}

function setEnv(vars: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
}

const dataDir = suiteTempDir("credits-checkout-test-");

beforeAll(async () => {
  setEnv({
    APP_DATA_DIR: dataDir.path,
    AUTH_SECRET: "checkout-test-secret-0123456789abcdef0123",
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    APP_URL: "https://credits.example.com",
    DATABASE_URL: undefined,
    STRIPE_SECRET_KEY: undefined,
    STRIPE_API_BASE: undefined,
  });
  t = await openTestDatabase("pglite");
  db = t.db;
  setDb(db);
  const jar = requestCookieJar(new Request("http://app.test/"));
  const outcome = await signUp({ email: BUYER, password: "a long enough password" }, jar);
  if (!outcome.ok || !outcome.session) throw new Error("sign-up failed");
  userId = outcome.session.userId;
  cookie = jar.written.find((c) => c.name === SESSION_COOKIE)!.value;
  await db.query("update public.credit_packages set active = false where id = 'scale'");
});

afterAll(async () => {
  setDb(undefined);
  await t?.drop();
});

describe("POST /api/checkout", () => {
  beforeEach(() => setEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_API_BASE: undefined }));

  it("answers 401 to a signed-out visitor", async () => {
    const response = await startCheckout(checkoutRequest({ package_id: "starter" }, { signedIn: false }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "sign in to buy credits" });
  });

  it("answers 400 to an unknown pack, an inactive pack, and a missing one", async () => {
    const bodies: Array<Record<string, string>> = [{ package_id: "nope" }, { package_id: "scale" }, {}];
    for (const body of bodies) {
      expect((await startCheckout(checkoutRequest(body))).status).toBe(400);
    }
  });

  it("without a Stripe key, sends the buyer to the local test checkout", async () => {
    const response = await startCheckout(checkoutRequest({ package_id: "starter" }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/checkout/test?package=starter");
  });

  it("with a Stripe key, creates a Checkout Session with the buyer and the pack, and redirects to it", async () => {
    await withRecordingServer(
      () => ({
        status: 200,
        body: { id: "cs_test_fake", object: "checkout.session", url: "https://checkout.stripe.com/c/pay/cs_test_fake" },
      }),
      async (stripe) => {
        setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
        const response = await startCheckout(checkoutRequest({ package_id: "pro" }));
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("https://checkout.stripe.com/c/pay/cs_test_fake");

        expect(stripe.requests).toHaveLength(1);
        const [call] = stripe.requests;
        expect(call.method).toBe("POST");
        expect(call.url).toBe("/v1/checkout/sessions");
        expect(call.headers.authorization).toBe("Bearer sk_test_fake_key");
        const params = Object.fromEntries(new URLSearchParams(call.body));
        expect(params).toMatchObject({
          mode: "payment",
          client_reference_id: userId,
          customer_email: BUYER,
          "metadata[package_id]": "pro",
          "metadata[user_id]": userId,
          "payment_intent_data[metadata][package_id]": "pro",
          "payment_intent_data[metadata][user_id]": userId,
          "line_items[0][quantity]": "1",
          "line_items[0][price_data][currency]": "usd",
          "line_items[0][price_data][unit_amount]": "2500",
          success_url: "https://credits.example.com/wallet?checkout=success",
          cancel_url: "https://credits.example.com/wallet?checkout=cancelled",
        });
      },
    );
  });

  it("uses the pack's Stripe price when it has one", async () => {
    const stripe = await recordingServer(() => ({
      status: 200,
      body: { id: "cs_test_2", url: "https://checkout.stripe.com/c/pay/cs_test_2" },
    }));
    try {
      await db.query("update public.credit_packages set stripe_price_id = 'price_123' where id = 'starter'");
      setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
      await startCheckout(checkoutRequest({ package_id: "starter" }));
      const params = Object.fromEntries(new URLSearchParams(stripe.requests[0].body));
      expect(params["line_items[0][price]"]).toBe("price_123");
      expect(params["line_items[0][price_data][unit_amount]"]).toBeUndefined();
    } finally {
      await db.query("update public.credit_packages set stripe_price_id = null where id = 'starter'");
      await stripe.close();
    }
  });

  it("answers 502 without a redirect when Stripe refuses", async () => {
    const stripe = await recordingServer(() => ({
      status: 400,
      body: { error: { type: "invalid_request_error", message: "nope" } },
    }));
    try {
      setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
      const response = await startCheckout(checkoutRequest({ package_id: "pro" }));
      expect(response.status).toBe(502);
      expect(response.headers.get("location")).toBeNull();
    } finally {
      await stripe.close();
    }
  });
});

describe("POST /api/checkout/paystack", () => {
  const PAYSTACK_SECRET = "sk_test_paystack_checkout_0123456789";
  const paystackRequest = (body: Record<string, string>, options: { signedIn?: boolean } = {}) =>
    checkoutRequest(body, { ...options, path: "/api/checkout/paystack" });
  const initialized = (r: Recorded) => {
    const sent = JSON.parse(r.body) as { reference: string };
    return {
      status: 200,
      body: {
        status: true,
        message: "Authorization URL created",
        data: {
          authorization_url: `https://checkout.paystack.com/${sent.reference}`,
          access_code: "ac_x",
          reference: sent.reference,
        },
      },
    };
  };
  beforeEach(() => setEnv({ PAYSTACK_SECRET_KEY: undefined, PAYSTACK_API_BASE: undefined }));
  afterAll(() => setEnv({ PAYSTACK_SECRET_KEY: undefined, PAYSTACK_API_BASE: undefined }));

  it("answers 404 when Paystack is not set up, and sends nothing anywhere", async () => {
    const response = await startPaystackCheckout(paystackRequest({ package_id: "starter" }));
    expect(response.status).toBe(404);
  });

  it("starts the payment on the server with the pack's price and the buyer's ids, and redirects to Paystack's page", async () => {
    await withRecordingServer(initialized, async (paystack) => {
      setEnv({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: paystack.origin });
      const response = await startPaystackCheckout(paystackRequest({ package_id: "pro" }));
      expect(response.status).toBe(303);
      expect(paystack.requests).toHaveLength(1);
      const [call] = paystack.requests;
      expect(call.method).toBe("POST");
      expect(call.url).toBe("/transaction/initialize");
      expect(call.headers.authorization).toBe(`Bearer ${PAYSTACK_SECRET}`);
      const sent = JSON.parse(call.body);
      expect(sent).toEqual({
        email: BUYER,
        amount: 2500,
        currency: "USD",
        reference: expect.stringMatching(/^cr_[0-9a-f]{32}$/),
        callback_url: "https://credits.example.com/api/paystack/callback",
        metadata: { package_id: "pro", user_id: userId },
      });
      expect(response.headers.get("location")).toBe(`https://checkout.paystack.com/${sent.reference}`);
    });
  });

  it("refuses what the other checkouts refuse: signed out 401, unknown or inactive pack 400, a plan 400; Paystack is not called", async () => {
    await withRecordingServer(initialized, async (paystack) => {
      setEnv({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: paystack.origin });
      expect((await startPaystackCheckout(paystackRequest({ package_id: "pro" }, { signedIn: false }))).status).toBe(
        401,
      );
      const refused: Array<Record<string, string>> = [
        { package_id: "nope" },
        { package_id: "scale" },
        {},
        { plan_id: "basic-monthly" },
      ];
      for (const body of refused) {
        expect((await startPaystackCheckout(paystackRequest(body))).status).toBe(400);
      }
      expect(paystack.requests).toHaveLength(0);
    });
  });

  it("Paystack refusing, answering for another reference, or unreachable: back to the wallet, which says so", async () => {
    const replies = [
      () => ({ status: 401, body: { status: false, message: "Invalid key" } }),
      () => ({
        status: 200,
        body: { status: true, data: { authorization_url: "https://checkout.paystack.com/x", reference: "other" } },
      }),
    ];
    for (const reply of replies) {
      await withRecordingServer(reply, async (paystack) => {
        setEnv({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: paystack.origin });
        const response = await startPaystackCheckout(paystackRequest({ package_id: "starter" }));
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("/wallet?checkout=paystack-unavailable&package=starter");
      });
    }
    setEnv({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: "http://127.0.0.1:1" });
    const response = await startPaystackCheckout(paystackRequest({ package_id: "starter" }));
    expect(response.headers.get("location")).toBe("/wallet?checkout=paystack-unavailable&package=starter");
  });

  it("round trip: the buyer pays on Paystack's page and comes back through the callback, which grants the pack once", async () => {
    const before = Number(
      (await db.query<{ balance: string }>("select balance from wallets where user_id = $1", [userId]))[0].balance,
    );
    let started: { reference: string; amount: number; currency: string; email: string; metadata: object } | undefined;
    await withRecordingServer(
      (r) => {
        if (r.url === "/transaction/initialize") {
          started = JSON.parse(r.body);
          return initialized(r);
        }
        // transaction/verify/<reference>: what Paystack reports once the buyer paid
        return {
          status: 200,
          body: {
            status: true,
            data: {
              id: 1,
              reference: started!.reference,
              status: "success",
              amount: started!.amount,
              currency: started!.currency,
              customer: { email: started!.email },
              metadata: started!.metadata,
            },
          },
        };
      },
      async (paystack) => {
        setEnv({ PAYSTACK_SECRET_KEY: PAYSTACK_SECRET, PAYSTACK_API_BASE: paystack.origin });
        await startPaystackCheckout(paystackRequest({ package_id: "starter" }));
        const back = `https://credits.example.com/api/paystack/callback?trxref=${started!.reference}&reference=${started!.reference}`;
        for (let i = 0; i < 2; i++) {
          const response = await paystackCallback(new Request(back));
          expect(response.status).toBe(303);
          expect(response.headers.get("location")).toMatch(/^https:\/\/credits\.example\.com\/wallet/);
        }
      },
    );
    const after = Number(
      (await db.query<{ balance: string }>("select balance from wallets where user_id = $1", [userId]))[0].balance,
    );
    expect(after - before).toBe(100);
  });
});

describe("POST /api/checkout/test (the local test checkout)", () => {
  beforeEach(() => setEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_API_BASE: undefined }));
  /** The test checkout delivers to APP_URL: point it at a recording server. */
  const appAt = (origin: string) => setEnv({ APP_URL: origin });

  it("is impossible when STRIPE_SECRET_KEY is set: 404, and nothing is sent", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: { received: true } }),
      async (webhook) => {
        setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key" });
        const response = await payTestCheckout(
          checkoutRequest({ package_id: "starter" }, { origin: webhook.origin, path: "/api/checkout/test" }),
        );
        expect(response.status).toBe(404);
        expect(webhook.requests).toHaveLength(0);
      },
    );
  });

  it("answers 401 signed out and 400 for an unknown pack, sending nothing", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: {} }),
      async (webhook) => {
        const opts = { origin: webhook.origin, path: "/api/checkout/test" };
        expect(
          (await payTestCheckout(checkoutRequest({ package_id: "starter" }, { ...opts, signedIn: false }))).status,
        ).toBe(401);
        expect((await payTestCheckout(checkoutRequest({ package_id: "nope" }, opts))).status).toBe(400);
        expect(webhook.requests).toHaveLength(0);
      },
    );
  });

  it("sends our webhook a checkout.session.completed signed with STRIPE_WEBHOOK_SECRET, then goes to /wallet", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: { received: true } }),
      async (webhook) => {
        appAt(webhook.origin);
        const response = await payTestCheckout(
          checkoutRequest({ package_id: "starter" }, { origin: webhook.origin, path: "/api/checkout/test" }),
        );
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("/wallet?checkout=success&package=starter");

        const [call] = webhook.requests;
        expect(call.url).toBe("/api/stripe/webhook");
        const event = Stripe.webhooks.constructEvent(
          call.body,
          String(call.headers["stripe-signature"]),
          WEBHOOK_SECRET,
        );
        expect(event).toMatchObject({
          object: "event",
          type: "checkout.session.completed",
          livemode: false,
          data: {
            object: {
              payment_status: "paid",
              client_reference_id: userId,
              customer_details: { email: BUYER },
              amount_total: 500,
              currency: "usd",
              metadata: { package_id: "starter", user_id: userId },
            },
          },
        });
        expect(event.id).toMatch(/^evt_/);
        expect((event.data.object as { payment_intent: string }).payment_intent).toMatch(/^pi_local_/);
      },
    );
  });

  it("returns to the test checkout with an error when the webhook does not accept the event", async () => {
    await withRecordingServer(
      () => ({ status: 401, body: { error: "invalid signature" } }),
      async (webhook) => {
        appAt(webhook.origin);
        const response = await payTestCheckout(
          checkoutRequest({ package_id: "starter" }, { origin: webhook.origin, path: "/api/checkout/test" }),
        );
        expect(response.headers.get("location")).toBe("/checkout/test?package=starter&error=webhook");
      },
    );
  });
});

describe("the local test checkout in production", () => {
  afterEach(() =>
    setEnv({
      NODE_ENV: "test",
      LOCAL_TEST_CHECKOUT: undefined,
      STRIPE_SECRET_KEY: undefined,
      APP_URL: "https://credits.example.com",
    }),
  );

  it("is off without LOCAL_TEST_CHECKOUT=1: /api/checkout/test answers 404 and sends nothing, /api/checkout says card payments are not configured", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: { received: true } }),
      async (webhook) => {
        setEnv({ NODE_ENV: "production", APP_URL: webhook.origin, LOCAL_TEST_CHECKOUT: undefined });
        expect(localCheckoutEnabled()).toBe(false);
        const pay = await payTestCheckout(
          checkoutRequest({ package_id: "starter" }, { origin: webhook.origin, path: "/api/checkout/test" }),
        );
        expect(pay.status).toBe(404);
        expect(webhook.requests).toHaveLength(0);

        const start = await startCheckout(checkoutRequest({ package_id: "starter" }));
        expect(start.status).toBe(303);
        expect(start.headers.get("location")).toBe("/wallet?checkout=unavailable");
      },
    );
  });

  it("is on with LOCAL_TEST_CHECKOUT=1 (a demo), and never with a Stripe key", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: { received: true } }),
      async (webhook) => {
        setEnv({ NODE_ENV: "production", APP_URL: webhook.origin, LOCAL_TEST_CHECKOUT: "1" });
        const pay = await payTestCheckout(checkoutRequest({ package_id: "starter" }, { path: "/api/checkout/test" }));
        expect(pay.headers.get("location")).toBe("/wallet?checkout=success&package=starter");
        expect(webhook.requests).toHaveLength(1);

        setEnv({ STRIPE_SECRET_KEY: "sk_live_fake_key" });
        expect(
          (await payTestCheckout(checkoutRequest({ package_id: "starter" }, { path: "/api/checkout/test" }))).status,
        ).toBe(404);
        expect(webhook.requests).toHaveLength(1);
      },
    );
  });
});

describe("where the test checkout delivers its signed event", () => {
  it("posts to APP_URL, never to the Host or X-Forwarded-Host the request names", async () => {
    const own = await recordingServer(() => ({ status: 200, body: { received: true } }));
    const attacker = await recordingServer(() => ({ status: 200, body: { received: true } }));
    try {
      setEnv({ APP_URL: own.origin });
      const request = checkoutRequest(
        { package_id: "starter" },
        { origin: attacker.origin, path: "/api/checkout/test" },
      );
      request.headers.set("x-forwarded-host", new URL(attacker.origin).host);
      request.headers.set("x-forwarded-proto", "http");
      const response = await payTestCheckout(request);
      expect(response.headers.get("location")).toBe("/wallet?checkout=success&package=starter");
      expect(attacker.requests).toHaveLength(0);
      expect(own.requests.map((r) => r.url)).toEqual(["/api/stripe/webhook"]);
    } finally {
      setEnv({ APP_URL: "https://credits.example.com" });
      await Promise.all([own.close(), attacker.close()]);
    }
  });

  it("does not follow a redirect from the webhook address: the signed event goes nowhere else", async () => {
    const elsewhere = await recordingServer(() => ({ status: 200, body: { received: true } }));
    const redirecting = http.createServer((_req, res) =>
      res.writeHead(307, { location: `${elsewhere.origin}/steal` }).end(),
    );
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    try {
      const origin = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
      setEnv({ APP_URL: origin });
      const response = await payTestCheckout(
        checkoutRequest({ package_id: "starter" }, { origin, path: "/api/checkout/test" }),
      );
      expect(response.headers.get("location")).toBe("/checkout/test?package=starter&error=webhook");
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      setEnv({ APP_URL: "https://credits.example.com" });
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
      await elsewhere.close();
    }
  });
});

describe("POST /api/checkout body cap", () => {
  it("answers 413 to a body over the cap, without reading it into a form", async () => {
    const big = "package_id=starter&pad=" + "x".repeat(2 * 1024 * 1024);
    const request = new Request("http://app.test/api/checkout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${SESSION_COOKIE}=${cookie}` },
      body: big,
    });
    const response = await startCheckout(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "payload too large" });
  });

  it("answers 413 to a chunked body that passes the cap without a Content-Length", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = new Request("http://app.test/api/checkout/test", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `${SESSION_COOKIE}=${cookie}` },
      body,
      duplex: "half",
    } as RequestInit);
    expect((await payTestCheckout(request)).status).toBe(413);
  });
});

describe("monthly plans", () => {
  beforeEach(() =>
    setEnv({ STRIPE_SECRET_KEY: undefined, STRIPE_API_BASE: undefined, APP_URL: "https://credits.example.com" }),
  );
  const PLAN = "basic-monthly";
  /** A subscription row as the webhook leaves it (the webhook itself is tested in stripe-subscriptions.test.ts). */
  const subscribe = (externalId: string, status = "active", customer = "cus_test_existing") =>
    db.query(
      `insert into subscriptions (provider, external_id, user_id, customer_id, status, plan_id, credits_per_period, current_period_end, last_event_at)
       values ('stripe', $1, $2, $3, $4, $5, 600, now() + interval '20 days', now())`,
      [externalId, userId, customer, status, PLAN],
    );
  const unsubscribe = () => db.query("delete from subscriptions where user_id = $1", [userId]);

  it("answers 400 to an unknown or inactive plan", async () => {
    await db.query("update credit_plans set active = false where id = 'team-monthly'");
    try {
      for (const plan_id of ["nope", "team-monthly"]) {
        const response = await startCheckout(checkoutRequest({ plan_id }));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual({ error: "unknown or inactive plan" });
      }
    } finally {
      await db.query("update credit_plans set active = true where id = 'team-monthly'");
    }
  });

  it("without a Stripe key, sends the buyer to the local test checkout for the plan", async () => {
    const response = await startCheckout(checkoutRequest({ plan_id: PLAN }));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/checkout/test?plan=${PLAN}`);
  });

  it("with a Stripe key, opens Checkout in subscription mode carrying the user and the plan", async () => {
    await withRecordingServer(
      () => ({
        status: 200,
        body: { id: "cs_test_sub", url: "https://checkout.stripe.com/c/pay/cs_test_sub" },
      }),
      async (stripe) => {
        setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
        // the client may post anything else: credits and price come from the plan row
        const response = await startCheckout(checkoutRequest({ plan_id: PLAN, credits: "999999", amount: "1" }));
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("https://checkout.stripe.com/c/pay/cs_test_sub");
        const [call] = stripe.requests;
        expect(call.url).toBe("/v1/checkout/sessions");
        const params = Object.fromEntries(new URLSearchParams(call.body));
        expect(params).toMatchObject({
          mode: "subscription",
          client_reference_id: userId,
          customer_email: BUYER,
          "metadata[plan_id]": PLAN,
          "metadata[user_id]": userId,
          "subscription_data[metadata][plan_id]": PLAN,
          "subscription_data[metadata][user_id]": userId,
          "line_items[0][quantity]": "1",
          "line_items[0][price_data][currency]": "usd",
          "line_items[0][price_data][unit_amount]": "2000",
          "line_items[0][price_data][recurring][interval]": "month",
          success_url: "https://credits.example.com/wallet?checkout=subscribed",
          cancel_url: "https://credits.example.com/wallet?checkout=cancelled",
        });
        expect(Object.values(params)).not.toContain("999999");
        expect(params["payment_intent_data[metadata][plan_id]"]).toBeUndefined(); // not allowed in subscription mode
      },
    );
  });

  it("uses the plan's Stripe Price when it has one", async () => {
    const stripe = await recordingServer(() => ({
      status: 200,
      body: { id: "cs_test_p", url: "https://checkout.stripe.com/c/pay/cs_test_p" },
    }));
    try {
      await db.query("update credit_plans set stripe_price_id = 'price_monthly_123' where id = $1", [PLAN]);
      setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
      await startCheckout(checkoutRequest({ plan_id: PLAN }));
      const params = Object.fromEntries(new URLSearchParams(stripe.requests[0].body));
      expect(params["line_items[0][price]"]).toBe("price_monthly_123");
      expect(params["line_items[0][price_data][unit_amount]"]).toBeUndefined();
    } finally {
      await db.query("update credit_plans set stripe_price_id = null where id = $1", [PLAN]);
      await stripe.close();
    }
  });

  it("refuses to subscribe again to a plan the buyer already has (409, nothing sent), and allows it once that one ended", async () => {
    const stripe = await recordingServer(() => ({
      status: 200,
      body: { id: "cs_test_again", url: "https://checkout.stripe.com/c/pay/cs_test_again" },
    }));
    try {
      await subscribe("sub_test_already", "past_due");
      setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
      const response = await startCheckout(checkoutRequest({ plan_id: PLAN }));
      expect(response.status).toBe(409);
      expect((await response.json()).error).toMatch(/already subscribe to Basic monthly/);
      expect(stripe.requests).toHaveLength(0);

      await db.query("update subscriptions set status = 'canceled' where external_id = 'sub_test_already'");
      expect((await startCheckout(checkoutRequest({ plan_id: PLAN }))).status).toBe(303);
      // a returning subscriber keeps their Stripe customer
      expect(Object.fromEntries(new URLSearchParams(stripe.requests[0].body))).toMatchObject({
        customer: "cus_test_existing",
      });
    } finally {
      await unsubscribe();
      await stripe.close();
    }
  });

  it("the local test checkout for a plan sends customer.subscription.created, then invoice.paid, signed, with the plan's price", async () => {
    await withRecordingServer(
      () => ({ status: 200, body: { received: true } }),
      async (webhook) => {
        setEnv({ APP_URL: webhook.origin }); // the test checkout delivers to APP_URL, never to the request's origin
        const response = await payTestCheckout(
          checkoutRequest({ plan_id: PLAN }, { origin: webhook.origin, path: "/api/checkout/test" }),
        );
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("/wallet?checkout=subscribed");
        const events = webhook.requests.map((call) =>
          Stripe.webhooks.constructEvent(call.body, String(call.headers["stripe-signature"]), WEBHOOK_SECRET),
        );
        expect(events.map((e) => e.type)).toEqual([
          "customer.subscription.created",
          "invoice.paid",
          "invoice_payment.paid",
        ]);
        const [created, paid] = events;
        expect(created.data.object).toMatchObject({ status: "active", metadata: { user_id: userId, plan_id: PLAN } });
        expect(paid.data.object).toMatchObject({
          amount_paid: 2000,
          currency: "usd",
          parent: {
            subscription_details: {
              subscription: (created.data.object as { id: string }).id,
              metadata: { user_id: userId, plan_id: PLAN },
            },
          },
        });
      },
    );
  });

  describe("test-mode subscription buttons", () => {
    /** The subscription's current period end, as /wallet renders it into the buttons' forms. */
    const periodEnd = async (externalId: string) =>
      (
        await db.query<{ end: Date }>("select current_period_end as end from subscriptions where external_id = $1", [
          externalId,
        ])
      )[0].end.toISOString();
    const action = (body: Record<string, string>, origin: string, signedIn = true) => {
      setEnv({ APP_URL: origin }); // events go to APP_URL, never to the request's origin
      return testSubscriptionAction(
        checkoutRequest(body, { origin, path: "/api/checkout/test/subscription", signedIn }),
      );
    };

    it("two test subscribes at once start one subscription and pay its first period once; two renews at once, one more period", async () => {
      const webhook = await forwardingServer(stripeWebhook); // our real webhook, on the test database
      const balance = async () =>
        Number(
          (
            await db.query<{ b: string }>(
              "select coalesce(sum(delta), 0)::text as b from credit_ledger where user_id = $1",
              [userId],
            )
          )[0].b,
        );
      try {
        setEnv({ APP_URL: webhook.origin });
        const before = await balance();
        const subscribing = await Promise.all(
          [1, 2, 3].map(() =>
            payTestCheckout(checkoutRequest({ plan_id: PLAN }, { origin: webhook.origin, path: "/api/checkout/test" })),
          ),
        );
        for (const response of subscribing) expect([303, 409]).toContain(response.status);
        const subscriptions = await db.query<{ external_id: string }>(
          "select external_id from subscriptions where user_id = $1 and plan_id = $2",
          [userId, PLAN],
        );
        expect(subscriptions).toHaveLength(1);
        expect(await balance()).toBe(before + 600);

        // the button's form carries the period the page showed, as SubscriptionCard renders it
        const shown = await periodEnd(subscriptions[0].external_id);
        const renew = { subscription_id: subscriptions[0].external_id, action: "renew", period_end: shown };
        const renewing = await Promise.all([1, 2, 3].map(() => action(renew, webhook.origin)));
        for (const response of renewing) expect(response.status).toBe(303);
        expect(await balance()).toBe(before + 1200);

        // a click that arrives after the renewal went through (same page, same period) pays nothing more
        expect((await action(renew, webhook.origin)).headers.get("location")).toBe("/wallet?subscription=renew");
        expect(await balance()).toBe(before + 1200);
        // from the reloaded page (the next period), one more
        const next = { ...renew, period_end: await periodEnd(subscriptions[0].external_id) };
        expect(next.period_end).not.toBe(shown);
        expect((await action(next, webhook.origin)).status).toBe(303);
        expect(await balance()).toBe(before + 1800);
        // a period the page cannot have shown (after the current one) is refused, nothing sent
        const future = new Date(Date.parse(next.period_end) + 40 * 86_400_000).toISOString();
        expect((await action({ ...renew, period_end: future }, webhook.origin)).status).toBe(409);
        expect((await action({ ...renew, period_end: "yesterday" }, webhook.origin)).status).toBe(400);
        expect(await balance()).toBe(before + 1800);
      } finally {
        await unsubscribe();
        await webhook.close();
      }
    });

    it("renew sends the next invoice.paid; cancel sends updated (cancel_at_period_end) then deleted", async () => {
      const webhook = await recordingServer(() => ({ status: 200, body: { received: true } }));
      try {
        await subscribe("sub_local_buttons", "active", "cus_local_buttons");
        const renew = await action({ subscription_id: "sub_local_buttons", action: "renew" }, webhook.origin);
        expect(renew.headers.get("location")).toBe("/wallet?subscription=renew");
        const cancel = await action({ subscription_id: "sub_local_buttons", action: "cancel" }, webhook.origin);
        expect(cancel.status).toBe(303);
        const events = webhook.requests.map((call) =>
          Stripe.webhooks.constructEvent(call.body, String(call.headers["stripe-signature"]), WEBHOOK_SECRET),
        );
        expect(events.map((e) => e.type)).toEqual([
          "invoice.paid",
          "invoice_payment.paid",
          "customer.subscription.updated",
          "customer.subscription.deleted",
        ]);
        expect(events[0].data.object).toMatchObject({ amount_paid: 2000, customer: "cus_local_buttons" });
        expect(events[2].data.object).toMatchObject({ id: "sub_local_buttons", cancel_at_period_end: true });
        expect(events[3].data.object).toMatchObject({ id: "sub_local_buttons", status: "canceled" });
      } finally {
        await unsubscribe();
        await webhook.close();
      }
    });

    it("refuses: signed out 401, another account's or a live Stripe subscription 404, a wrong state 409, with Stripe configured 404", async () => {
      const webhook = await recordingServer(() => ({ status: 200, body: { received: true } }));
      try {
        await subscribe("sub_test_live_one", "active");
        await subscribe("sub_local_past_due", "past_due");
        expect(
          (await action({ subscription_id: "sub_local_past_due", action: "renew" }, webhook.origin, false)).status,
        ).toBe(401);
        expect((await action({ subscription_id: "sub_test_live_one", action: "cancel" }, webhook.origin)).status).toBe(
          404,
        );
        expect(
          (await action({ subscription_id: "sub_local_somebody_else", action: "cancel" }, webhook.origin)).status,
        ).toBe(404);
        expect((await action({ subscription_id: "sub_local_past_due", action: "renew" }, webhook.origin)).status).toBe(
          409,
        );
        expect(
          (await action({ subscription_id: "sub_local_past_due", action: "explode" }, webhook.origin)).status,
        ).toBe(400);
        expect(
          (
            await action(
              { subscription_id: "sub_local_past_due", action: "cancel", pad: "x".repeat(20_000) },
              webhook.origin,
            )
          ).status,
        ).toBe(413);
        setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key" });
        expect((await action({ subscription_id: "sub_local_past_due", action: "cancel" }, webhook.origin)).status).toBe(
          404,
        );
        expect(webhook.requests).toHaveLength(0);
      } finally {
        await unsubscribe();
        await webhook.close();
      }
    });
  });

  describe("POST /api/billing/portal", () => {
    it("opens a Billing Portal session for the subscriber's customer, returning to APP_URL/wallet", async () => {
      const stripe = await recordingServer(() => ({
        status: 200,
        body: { id: "bps_1", object: "billing_portal.session", url: "https://billing.stripe.com/p/session/test_1" },
      }));
      try {
        await subscribe("sub_test_portal", "active", "cus_test_portal");
        setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: stripe.origin });
        const response = await openBillingPortal(checkoutRequest({}, { path: "/api/billing/portal" }));
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("https://billing.stripe.com/p/session/test_1");
        expect(stripe.requests[0].url).toBe("/v1/billing_portal/sessions");
        expect(Object.fromEntries(new URLSearchParams(stripe.requests[0].body))).toEqual({
          customer: "cus_test_portal",
          return_url: "https://credits.example.com/wallet",
        });
      } finally {
        await unsubscribe();
        await stripe.close();
      }
    });

    it("answers 404 in test mode, 401 signed out, 400 without a subscription", async () => {
      expect((await openBillingPortal(checkoutRequest({}, { path: "/api/billing/portal" }))).status).toBe(404);
      setEnv({ STRIPE_SECRET_KEY: "sk_test_fake_key", STRIPE_API_BASE: "http://127.0.0.1:9" });
      expect(
        (await openBillingPortal(checkoutRequest({}, { path: "/api/billing/portal", signedIn: false }))).status,
      ).toBe(401);
      expect((await openBillingPortal(checkoutRequest({}, { path: "/api/billing/portal" }))).status).toBe(400);
    });
  });
});
