/**
 * Bad input, generated: every provider route answers random bodies, random
 * headers, single-byte mutations, truncations and credential swaps of valid
 * deliveries with a short 4xx (a 2xx only for a delivery that is genuinely
 * valid), never a 5xx while the database is up, never a stack trace, and
 * writes no business row for anything it refused. In-process handlers on PGlite.
 * FUZZ_RUNS (default 150) scales the number of generated cases.
 */
import { createHmac, timingSafeEqual, verify as rsaVerify } from "node:crypto";
import fc from "fast-check";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as fireblocksPOST } from "@/app/api/fireblocks/webhook/route";
import { POST as invoicesPOST } from "@/app/api/invoices/webhook/route";
import { POST as paystackPOST } from "@/app/api/paystack/webhook/route";
import { POST as stripePOST } from "@/app/api/stripe/webhook/route";
import { POST as tradingviewPOST } from "@/app/api/tradingview/webhook/route";
import { setDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { invoiceSignatureHeader } from "@/lib/providers/invoices/verify";
import { paystackSignature } from "@/lib/providers/paystack/verify";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";
import { legacySignature, rsaKey, startJwksServer, transaction, v2Event, type JwksServer } from "../helpers/fireblocks";
import { INVOICE_SECRET, invoiceEvent } from "../helpers/invoices";
import { chargeSuccess, PAYSTACK_SECRET, paystackTransaction } from "../helpers/paystack";
import { checkoutSession, signedRequest, stripeEvent, uid, WEBHOOK_SECRET } from "../helpers/stripe";

interface Delivery {
  body: string | Uint8Array;
  headers: Headers;
}

/** One provider route: how to make a valid delivery and how to tell a genuinely valid one. */
interface WebhookTarget {
  name: string;
  path: string;
  env: Record<string, string>;
  POST: (request: Request) => Promise<Response>;
  signatureHeaders: string[];
  validDelivery(): Delivery;
  isGenuine(delivery: Delivery): boolean;
}

const stripe: WebhookTarget = {
  name: "stripe",
  path: "/api/stripe/webhook",
  env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET },
  POST: stripePOST,
  signatureHeaders: ["stripe-signature"],
  validDelivery() {
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ customer_email: `${uid("fuzz")}@example.com`, metadata: { package_id: "starter" } }),
    );
    const request = signedRequest(event);
    return { body: JSON.stringify(event), headers: request.headers };
  },
  isGenuine({ body, headers }) {
    try {
      Stripe.webhooks.constructEvent(Buffer.from(body), headers.get("stripe-signature") ?? "", WEBHOOK_SECRET);
      return true;
    } catch {
      return false;
    }
  },
};

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const jsonHeaders = (extra: Record<string, string>) => new Headers({ "content-type": "application/json", ...extra });

const invoices: WebhookTarget = {
  name: "invoices",
  path: "/api/invoices/webhook",
  env: { INVOICE_WEBHOOK_SECRET: INVOICE_SECRET },
  POST: invoicesPOST,
  signatureHeaders: ["x-signature"],
  validDelivery() {
    const body = JSON.stringify(invoiceEvent(uid("inv"), "Pending"));
    return { body, headers: jsonHeaders({ "x-signature": invoiceSignatureHeader(INVOICE_SECRET, body) }) };
  },
  isGenuine({ body, headers }) {
    const header = headers.get("x-signature") ?? "";
    const t = /(?:^|,)t=(\d+)/.exec(header)?.[1];
    if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
    const expected = invoiceSignatureHeader(INVOICE_SECRET, Buffer.from(body).toString(), Number(t)).split("v1=")[1];
    // hex is case-insensitive: "B" and "b" are the same MAC byte
    return header.split(",").some((part) => part.startsWith("v1=") && sameText(part.slice(3).toLowerCase(), expected));
  },
};

const paystack: WebhookTarget = {
  name: "paystack",
  path: "/api/paystack/webhook",
  env: { PAYSTACK_SECRET_KEY: PAYSTACK_SECRET },
  POST: paystackPOST,
  signatureHeaders: ["x-paystack-signature"],
  validDelivery() {
    const body = JSON.stringify(
      chargeSuccess(paystackTransaction({ customer: { id: 1, email: `${uid("fuzz")}@example.com` } })),
    );
    return { body, headers: jsonHeaders({ "x-paystack-signature": paystackSignature(PAYSTACK_SECRET, body) }) };
  },
  isGenuine({ body, headers }) {
    const expected = createHmac("sha512", PAYSTACK_SECRET).update(Buffer.from(body)).digest("hex");
    return sameText((headers.get("x-paystack-signature") ?? "").toLowerCase(), expected);
  },
};

/** Legacy RSA scheme with a generated key; JWKS signatures are checked against a local JWKS server. */
const fireblocksKey = rsaKey();
let jwks: JwksServer | undefined;
const fireblocks: WebhookTarget = {
  name: "fireblocks",
  path: "/api/fireblocks/webhook",
  env: { FIREBLOCKS_WEBHOOK_PUBLIC_KEY: fireblocksKey.publicPem },
  POST: fireblocksPOST,
  signatureHeaders: ["fireblocks-signature", "fireblocks-webhook-signature"],
  validDelivery() {
    const body = JSON.stringify(v2Event(transaction({ destinationAddress: `0x${uid("fuzz").slice(5)}` })));
    return { body, headers: jsonHeaders({ "fireblocks-signature": legacySignature(body, fireblocksKey) }) };
  },
  isGenuine({ body, headers }) {
    const signature = headers.get("fireblocks-signature");
    return (
      signature !== null &&
      rsaVerify("RSA-SHA512", Buffer.from(body), fireblocksKey.publicKey, Buffer.from(signature, "base64"))
    );
  },
};

/** TradingView cannot sign: the shared secret travels in the body. */
const TRADINGVIEW_SECRET = "tv-fuzz-secret-0123456789";
const tradingview: WebhookTarget = {
  name: "tradingview",
  path: "/api/tradingview/webhook",
  env: { TRADINGVIEW_WEBHOOK_SECRET: TRADINGVIEW_SECRET },
  POST: tradingviewPOST,
  signatureHeaders: [],
  validDelivery() {
    const body = JSON.stringify({ secret: TRADINGVIEW_SECRET, ticker: "BTCUSD", action: "buy", message: uid("fuzz") });
    return { body, headers: jsonHeaders({}) };
  },
  isGenuine: ({ body }) => Buffer.from(body).includes(TRADINGVIEW_SECRET),
};

const webhookTargets: WebhookTarget[] = [stripe, invoices, paystack, fireblocks, tradingview];

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const STACK_TRACE = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+|Error: /;

let t: TestDatabase;

beforeAll(async () => {
  jwks = await startJwksServer([rsaKey()]);
  for (const target of webhookTargets) Object.assign(process.env, target.env);
  process.env.FIREBLOCKS_JWKS_URL = jwks.url;
  resetEnvCache();
  t = await openTestDatabase("pglite");
  setDb(t.db);
});
afterAll(async () => {
  setDb(undefined);
  await t?.drop();
  await jwks?.close();
});
beforeEach(() => setDb(t.db));

const BUSINESS_TABLES = [
  "purchases",
  "credit_ledger",
  "pending_credit_grants",
  "webhook_events",
  "subscriptions",
  "trading_alerts",
];
async function businessRows(): Promise<Record<string, number>> {
  const rows = await t.db.query<{ name: string; n: string }>(
    BUSINESS_TABLES.map((table) => `select '${table}' as name, count(*) as n from public.${table}`).join(" union all "),
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

function request(target: WebhookTarget, delivery: Delivery): Request {
  return new Request(`http://localhost${target.path}`, {
    method: "POST",
    headers: delivery.headers,
    body: typeof delivery.body === "string" ? delivery.body : new Uint8Array(delivery.body),
  });
}

/** The answer to anything that is not a valid delivery: 4xx, short JSON error, no internals. */
async function expectRefused(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBeGreaterThanOrEqual(400);
  expect(response.status, text).toBeLessThan(500);
  expect(text.length).toBeLessThan(300);
  expect(text).not.toMatch(STACK_TRACE);
  expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
}

/** Headers() refuses some generated names/values; those are not requests a client can send. */
function safeHeaders(entries: Array<[string, string]>): Headers | null {
  try {
    return new Headers(entries);
  } catch {
    return null;
  }
}

type Mutation =
  | { kind: "body-byte"; at: number; byte: number }
  | { kind: "truncate"; at: number }
  | { kind: "credential-byte"; at: number; byte: number }
  | { kind: "swap" }
  | { kind: "drop-credential" };

/** `byte`, or the next one in [min, max] when it equals `current`: the written byte always differs. */
const otherByte = (byte: number, current: number, min: number, max: number) =>
  byte !== current ? byte : byte === max ? min : byte + 1;

/**
 * A changed copy of a valid delivery. The credential is the signature header, or for TradingView
 * (which cannot sign) the secret inside the body: its bytes are changed, it is swapped for another
 * plausible one (another delivery's signature, a different secret of the same length), or dropped.
 */
function mutate(target: WebhookTarget, valid: Delivery, m: Mutation): Delivery {
  const body = Buffer.from(valid.body);
  const headers = new Headers(valid.headers);
  const signatureHeader = target.signatureHeaders.find((name) => headers.has(name));
  if (m.kind === "body-byte") {
    const mutated = Buffer.from(body);
    const i = m.at % body.length;
    mutated[i] = otherByte(m.byte, body[i], 0, 255);
    return { body: mutated, headers };
  }
  if (m.kind === "truncate") return { body: body.subarray(0, m.at % body.length), headers };
  if (!signatureHeader) {
    const event = JSON.parse(body.toString()) as { secret?: string };
    const secret = event.secret!;
    if (m.kind === "credential-byte") {
      const bytes = Buffer.from(secret);
      const i = m.at % bytes.length;
      bytes[i] = otherByte(m.byte, bytes[i], 0x21, 0x7e); // printable, not a space JSON would keep as-is
      event.secret = bytes.toString("latin1");
    } else if (m.kind === "swap") {
      event.secret = [...secret].reverse().join("") === secret ? `${secret}x` : [...secret].reverse().join("");
    } else {
      delete event.secret;
    }
    return { body: JSON.stringify(event), headers };
  }
  if (m.kind === "credential-byte") {
    const value = Buffer.from(headers.get(signatureHeader)!);
    const i = m.at % value.length;
    value[i] = otherByte(m.byte, value[i], 0x20, 0x7e);
    headers.set(signatureHeader, value.toString("latin1"));
  } else if (m.kind === "swap") {
    headers.set(signatureHeader, new Headers(target.validDelivery().headers).get(signatureHeader)!);
  } else {
    headers.delete(signatureHeader);
  }
  return { body, headers };
}

function sameDelivery(a: Delivery, b: Delivery): boolean {
  const headerList = (h: Headers) => JSON.stringify([...h.entries()]);
  return Buffer.from(a.body).equals(Buffer.from(b.body)) && headerList(a.headers) === headerList(b.headers);
}

const headerName = fc.oneof(
  fc.constantFrom("content-type", "content-length", "transfer-encoding"),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
);
const headerValue = fc.oneof(fc.string({ maxLength: 200 }), fc.stringMatching(/^t=\d{1,12},v1=[0-9a-f]{0,64}$/));

describe.each(webhookTargets)("$name webhook under generated bad input", (target) => {
  it("refuses random bodies with random headers, writing nothing", async () => {
    const before = await businessRows();
    const body = fc.oneof(
      fc.string({ maxLength: 2000 }),
      fc.json({ maxDepth: 4 }),
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
      // a real body without its signature (TradingView's body is its credential: not applicable)
      target.signatureHeaders.length > 0 ? fc.constant(target.validDelivery().body) : fc.constant("{}"),
    );
    const signatureHeader =
      target.signatureHeaders.length > 0 ? fc.constantFrom(...target.signatureHeaders) : headerName;
    const headers = fc.array(fc.oneof(fc.tuple(headerName, headerValue), fc.tuple(signatureHeader, headerValue)), {
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(body, headers, async (b, h) => {
        const hs = safeHeaders(h);
        fc.pre(hs !== null);
        hs!.delete("content-length");
        hs!.delete("transfer-encoding");
        await expectRefused(await target.POST(request(target, { body: b, headers: hs! })));
      }),
      { numRuns: RUNS },
    );
    expect(await businessRows()).toEqual(before);
  });

  it("refuses every single-byte change, truncation and credential swap of a valid delivery, writing nothing for each", async () => {
    let refused = 0;
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("body-byte" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant("credential-byte" as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0x20, max: 0x7e }),
      }),
      fc.record({ kind: fc.constant("swap" as const) }),
      fc.record({ kind: fc.constant("drop-credential" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const valid = target.validDelivery();
        const mutated = mutate(target, valid, m);
        // every mutation really changes what is sent (a byte written back would test nothing)
        expect(sameDelivery(mutated, valid), m.kind).toBe(false);
        const before = await businessRows();
        const response = await target.POST(request(target, mutated));
        if (response.status >= 200 && response.status < 300) {
          // Only a change that leaves the delivery genuinely valid may pass: for TradingView a
          // body byte outside the secret (its only credential); for signed providers nothing.
          expect(target.isGenuine(mutated), m.kind).toBe(true);
          return;
        }
        await expectRefused(response);
        expect(await businessRows(), m.kind).toEqual(before);
        refused++;
      }),
      { numRuns: RUNS * 2 },
    );
    expect(refused).toBeGreaterThan(RUNS); // most mutations are refusals, each checked for writing nothing
  });

  it("still accepts the unmodified valid delivery (the generators are not vacuous)", async () => {
    const response = await target.POST(request(target, target.validDelivery()));
    expect(response.status).toBeLessThan(300);
  });
});
