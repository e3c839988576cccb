/**
 * What the webhook routes write to the server log (console and stdout/stderr,
 * captured here) while every provider takes valid deliveries, forged ones,
 * events that fail in processing, a database outage and an unexpected error:
 * never a secret, a signature or a payload field (e-mail, name, card digits,
 * the body itself). SPEC §7: "No secret, key or full card/PII field is ever logged".
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as fireblocksPOST } from "@/app/api/fireblocks/webhook/route";
import { POST as invoicesPOST } from "@/app/api/invoices/webhook/route";
import { POST as paystackPOST } from "@/app/api/paystack/webhook/route";
import { POST as stripePOST } from "@/app/api/stripe/webhook/route";
import { POST as tradingviewPOST } from "@/app/api/tradingview/webhook/route";
import { getDb, setDb, type Database } from "@/lib/db";
import { createPostgresDatabase } from "@/lib/db/postgres";
import { createLogger, setLogger } from "@/lib/logger";
import {
  legacySignature,
  rsaKey,
  startJwksServer,
  transaction,
  v2Event,
  fireblocksRequest,
  type JwksServer,
} from "../helpers/fireblocks";
import { INVOICE_SECRET, invoiceEvent, invoiceRequest } from "../helpers/invoices";
import { chargeSuccess, PAYSTACK_SECRET, paystackRequest, paystackTransaction } from "../helpers/paystack";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";

const TRADINGVIEW_SECRET = "tv-log-secret-0123456789abcdef";
const fireblocksKey = rsaKey();
/** Payload fields that must never reach the log. */
const PII = {
  email: "log-pii-buyer@example.com",
  name: "Logcheck Cardholder-Name",
  last4: "4242LOGCHECK",
  customerName: "Logcheck Invoice Customer",
  address: "0xLOGCHECKdeadbeefdeadbeefdeadbeefdeadbeef",
  alert: "logcheck-alert-message-text",
};

describe("webhook routes keep secrets and payload fields out of the server log", () => {
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer([rsaKey()]);
  });
  afterAll(() => jwks?.close());
  const t = useRouteSuite("pglite", () => ({
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PAYSTACK_SECRET_KEY: PAYSTACK_SECRET,
    INVOICE_WEBHOOK_SECRET: INVOICE_SECRET,
    TRADINGVIEW_WEBHOOK_SECRET: TRADINGVIEW_SECRET,
    FIREBLOCKS_WEBHOOK_PUBLIC_KEY: fireblocksKey.publicPem,
    FIREBLOCKS_JWKS_URL: jwks.url,
  }));

  let log = "";
  // The app's structured log (pino, one JSON line per request) at the production level, into the capture.
  beforeAll(() =>
    setLogger(createLogger({ level: "info", format: "json" }, { write: (line: string) => void (log += line) })),
  );
  afterAll(() => setLogger(undefined));
  beforeEach(() => {
    log = "";
    const keep = (...args: unknown[]) => {
      log += `${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a, Object.getOwnPropertyNames(Object(a))))).join(" ")}\n`;
    };
    for (const level of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, level).mockImplementation(keep);
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, "write").mockImplementation(((chunk: string | Uint8Array) => {
        log += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
        return true;
      }) as typeof stream.write);
    }
  });
  afterEach(() => vi.restoreAllMocks());

  /** One delivery per provider that carries every PII field; `sign` false forges the credential. */
  function deliveries(sign: boolean) {
    const stripeBody = stripeEvent(
      "checkout.session.completed",
      checkoutSession({
        customer_email: PII.email,
        customer_details: { email: PII.email, name: PII.name },
        metadata: { package_id: uid("no_such_pack") }, // fails in processing: unknown package
      }),
    );
    const paystackBody = chargeSuccess(
      paystackTransaction({
        customer: { id: 7, email: PII.email, first_name: PII.name },
        authorization: { last4: PII.last4, bin: "408408" },
      }),
    );
    const invoiceBody = invoiceEvent(uid("inv_unknown"), "Complete", { customerName: PII.customerName });
    const fireblocksBody = JSON.stringify(v2Event(transaction({ destinationAddress: PII.address })));
    const tradingviewBody = JSON.stringify({
      secret: sign ? TRADINGVIEW_SECRET : "not-the-secret",
      ticker: "BTCUSD",
      message: PII.alert,
    });
    return [
      () => stripePOST(signedRequest(stripeBody, sign ? {} : { secret: "whsec_forged" })),
      () => paystackPOST(paystackRequest(paystackBody, sign ? {} : { secret: "sk_forged" })),
      () => invoicesPOST(invoiceRequest(invoiceBody, sign ? {} : { secret: "forged" })),
      () =>
        fireblocksPOST(
          fireblocksRequest(fireblocksBody, {
            "fireblocks-signature": sign ? legacySignature(fireblocksBody, fireblocksKey) : "Zm9yZ2Vk",
          }),
        ),
      () =>
        tradingviewPOST(
          new Request("http://localhost/api/tradingview/webhook", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: tradingviewBody,
          }),
        ),
    ];
  }

  function expectCleanLog(): void {
    const secrets = { WEBHOOK_SECRET, PAYSTACK_SECRET, INVOICE_SECRET, TRADINGVIEW_SECRET };
    const found = Object.entries({ ...secrets, ...PII })
      .filter(([, value]) => log.includes(value))
      .map(([name]) => name);
    expect(found).toEqual([]);
    expect(log).not.toMatch(/v1=[0-9a-f]{64}|-----BEGIN|"data":\s*\{/);
  }

  it("logs nothing sensitive for valid deliveries, forged ones and events that fail in processing", async () => {
    for (const sign of [true, false]) {
      for (const deliver of deliveries(sign)) {
        const status = (await deliver()).status;
        expect(status).toBeLessThan(500);
      }
    }
    const failed = await t.count("webhook_events where status = 'failed'");
    expect(failed).toBeGreaterThanOrEqual(1); // the processing-failure path really ran
    expectCleanLog();
  });

  it("logs nothing sensitive while the database is down (503) or throws something unexpected (500)", async () => {
    const original = getDb();
    const down = createPostgresDatabase({
      connectionString: "postgres://app:db-password-LOGCHECK@127.0.0.1:9/credits",
      max: 1,
    });
    const broken: Database = {
      mode: "embedded",
      rpc: async () => {
        throw new TypeError(`unexpected failure while handling the event`);
      },
      close: async () => undefined,
    };
    try {
      setDb(down);
      for (const deliver of deliveries(true)) expect((await deliver()).status).toBe(503);
      setDb(broken);
      for (const deliver of deliveries(true)) expect((await deliver()).status).toBe(500);
    } finally {
      setDb(original);
      await down.close();
    }
    expect(log).toContain("TypeError: unexpected failure while handling the event"); // the capture sees what the routes log
    expect(log).toContain('"http_status":503');
    expect(log).not.toContain("db-password-LOGCHECK");
    expectCleanLog();
  });
});
