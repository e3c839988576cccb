/**
 * POST /api/fireblocks/webhook through the real route, on PGlite and (when
 * DATABASE_URL is set) a Postgres server. Legacy signatures use a locally
 * generated RSA key (FIREBLOCKS_WEBHOOK_PUBLIC_KEY); JWKS signatures use a
 * local key-set server, whose keys are rotated mid-suite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/fireblocks/webhook/route";
import { assignDepositAddress } from "@/lib/db/rpc/providers";
import { listWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { JWKS_COOLDOWN_MS } from "@/lib/providers/fireblocks/verify";
import { balanceOf, createUser, targets } from "../helpers/databases";
import {
  fireblocksRequest,
  jwsSignature,
  legacySignature,
  rsaKey,
  startJwksServer,
  transaction,
  uid,
  v1Event,
  v2Event,
  type JwksServer,
  type RsaKey,
} from "../helpers/fireblocks";
import { useRouteSuite } from "../helpers/route-suite";

const legacyKey = rsaKey("legacy");
const strangerKey = rsaKey("stranger");

describe.each(targets)("Fireblocks webhook on %s", (target) => {
  let jwks: JwksServer;
  let jwsKey: RsaKey;
  beforeAll(async () => {
    jwsKey = rsaKey();
    jwks = await startJwksServer([jwsKey]);
  });
  afterAll(async () => jwks?.close());
  const t = useRouteSuite(target, () => ({
    FIREBLOCKS_WEBHOOK_PUBLIC_KEY: legacyKey.publicPem,
    FIREBLOCKS_JWKS_URL: jwks.url,
  }));
  const { businessRows, count } = t;

  const legacy = (body: string) => ({ "fireblocks-signature": legacySignature(body, legacyKey) });
  const deliver = async (event: object, sign: "legacy" | "jws" | "both" = "legacy") => {
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {};
    if (sign !== "jws") Object.assign(headers, legacy(body));
    if (sign !== "legacy") headers["fireblocks-webhook-signature"] = await jwsSignature(body, jwsKey);
    const response = await POST(fireblocksRequest(body, headers));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const eventRow = (eventId: string) => t.eventRow("fireblocks", eventId).then((row) => row!);
  /** A user with a USDC (20 credits/unit) deposit address. */
  const depositor = async (asset = "USDC") => {
    const email = `${uid("depositor")}@example.com`;
    const user = await createUser(t.db, email);
    const address = `0x${Buffer.from(uid("a")).toString("hex").slice(0, 40).padEnd(40, "0")}`;
    await assignDepositAddress(t.db, { address, assetId: asset, email });
    return { user, address, email };
  };

  describe("deposits", () => {
    it("grants floor(amount × rate) credits for a COMPLETED v1 transfer to a user's address (legacy signature)", async () => {
      const { user, address } = await depositor();
      const tx = transaction({ destinationAddress: address, amountInfo: { amount: "12.57", amountUSD: "12.57" } });
      const res = await deliver(v1Event(tx));
      expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false, status: "processed" } });
      expect(await balanceOf(t.db, user)).toBe(251); // floor(12.57 × 20)
      expect((await eventRow(`${tx.id}:COMPLETED`)).outcome).toMatch(/granted 251 credits for 12.57 USDC/);
      const purchase = await t.db.query<{ provider: string; amount_minor: string; currency: string }>(
        "select provider, amount_minor::text, currency from purchases where external_id = $1",
        [tx.id],
      );
      expect(purchase[0]).toEqual({ provider: "fireblocks", amount_minor: "1257", currency: "usd" });
    });

    it("grants a v2 transaction.status.updated signed only with the JWKS scheme", async () => {
      const { user, address } = await depositor("ETH");
      const tx = transaction({
        assetId: "ETH",
        destinationAddress: address.toUpperCase().replace("0X", "0x"),
        amount: 0.01,
        amountInfo: undefined,
      });
      const event = v2Event(tx);
      expect((await deliver(event, "jws")).status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(600); // 0.01 ETH × 60000, address matched case-insensitively
      expect(await eventRow(`${tx.id}:COMPLETED:${event.id}`)).toMatchObject({
        status: "processed",
        event_type: "transaction.status.updated",
      });
    });

    it("accepts a JWS with an unencoded payload (b64: false)", async () => {
      const { user, address } = await depositor();
      const body = JSON.stringify(v1Event(transaction({ destinationAddress: address })));
      const signature = await jwsSignature(body, jwsKey, { b64: false });
      expect((await POST(fireblocksRequest(body, { "fireblocks-webhook-signature": signature }))).status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(250);
    });

    it("credits once per transaction: redelivery, v1 + v2 notifications, and 30 concurrent copies", async () => {
      const { user, address } = await depositor();
      const tx = transaction({ destinationAddress: address });
      const v1 = v1Event(tx);
      expect((await deliver(v1)).body.duplicate).toBe(false);
      expect((await deliver(v1)).body).toMatchObject({ duplicate: true });
      const v2 = v2Event(tx);
      const burst = await Promise.all(Array.from({ length: 30 }, () => deliver(v2, "both")));
      expect(burst.every((r) => r.status === 200)).toBe(true);
      expect(burst.filter((r) => r.body.duplicate === false)).toHaveLength(1);
      expect(await eventRow(`${tx.id}:COMPLETED:${v2.id}`)).toMatchObject({
        outcome: `transaction ${tx.id} already credited`,
      });
      expect(await balanceOf(t.db, user)).toBe(250);
      expect(await count(`purchases where external_id = '${tx.id}'`)).toBe(1);
    });

    it.each(["FAILED", "CANCELLED", "REJECTED", "BLOCKED", "TIMEOUT"])("records %s without credit", async (status) => {
      const { user, address } = await depositor();
      const tx = transaction({ destinationAddress: address, status });
      await deliver(v1Event(tx));
      expect(await eventRow(`${tx.id}:${status}`)).toMatchObject({
        status: "processed",
        outcome: `transaction ${tx.id} ${status}: no credits`,
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("records intermediate statuses, then credits on COMPLETED", async () => {
      const { user, address } = await depositor();
      const id = crypto.randomUUID();
      for (const status of ["SUBMITTED", "PENDING_AML_SCREENING", "BROADCASTING", "CONFIRMING"]) {
        await deliver(v2Event(transaction({ id, status, destinationAddress: address })));
      }
      expect(await balanceOf(t.db, user)).toBe(0);
      await deliver(v2Event(transaction({ id, destinationAddress: address })));
      expect(await balanceOf(t.db, user)).toBe(250);
      expect(await count(`webhook_events where provider = 'fireblocks' and external_id = '${id}'`)).toBe(5);
    });

    it("ignores (never fails) a COMPLETED transfer to an address that is not ours, with the reason", async () => {
      const tx = transaction({ destinationAddress: "bc1qnotoursnotoursnotours" });
      const before = await count("purchases");
      expect((await deliver(v1Event(tx))).status).toBe(200);
      expect(await eventRow(`${tx.id}:COMPLETED`)).toMatchObject({
        status: "ignored",
        last_error: null,
        outcome: `transaction ${tx.id} goes to bc1qnotoursnotoursnotours, which is not one of our deposit addresses`,
      });
      expect(await count("purchases")).toBe(before);
    });

    it.each([
      "VAULT_ACCOUNT",
      "GAS_STATION",
      "INTERNAL_WALLET",
      "EXCHANGE_ACCOUNT",
      "FIAT_ACCOUNT",
      "NETWORK_CONNECTION",
      "COMPOUND",
    ])(
      "ignores a COMPLETED transfer from our own %s to a user's address: no credits, the reason recorded",
      async (type) => {
        const { user, address } = await depositor();
        const tx = transaction({ destinationAddress: address, source: { type, id: "0", name: "Treasury" } });
        expect((await deliver(v1Event(tx))).status).toBe(200);
        expect(await eventRow(`${tx.id}:COMPLETED`)).toMatchObject({
          status: "ignored",
          outcome: `transaction ${tx.id} comes from ${type}, not from outside: not a customer deposit`,
        });
        expect(await balanceOf(t.db, user)).toBe(0);
        expect(await count(`purchases where external_id = '${tx.id}'`)).toBe(0);
      },
    );

    it("ignores the gas station's ETH top-up of a user's EVM address (v2), and a transfer without a source", async () => {
      const { user, address } = await depositor("ETH");
      const gas = transaction({
        assetId: "ETH",
        amount: 0.002,
        amountInfo: undefined,
        destinationAddress: address,
        source: { type: "GAS_STATION", id: "gas" },
      });
      const gasEvent = v2Event(gas);
      await deliver(gasEvent, "jws");
      expect((await eventRow(`${gas.id}:COMPLETED:${gasEvent.id}`)).status).toBe("ignored");
      const unnamed = transaction({
        assetId: "ETH",
        amount: 1,
        amountInfo: undefined,
        destinationAddress: address,
        source: undefined,
      });
      await deliver(v1Event(unnamed));
      expect(await eventRow(`${unnamed.id}:COMPLETED`)).toMatchObject({
        status: "ignored",
        outcome: expect.stringMatching(/an unnamed source/),
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it.each(["EXTERNAL_WALLET", "ONE_TIME_ADDRESS", "UNKNOWN"])("credits a deposit from %s", async (type) => {
      const { user, address } = await depositor();
      await deliver(v1Event(transaction({ destinationAddress: address, source: { type } })));
      expect(await balanceOf(t.db, user)).toBe(250);
    });

    it("ignores a transfer in another asset than the address's (2 ETH to a USDC address), with the reason", async () => {
      const { user, address } = await depositor("USDC");
      const tx = transaction({
        assetId: "ETH",
        amount: 2,
        amountUSD: 6000,
        amountInfo: { amount: "2", amountUSD: "6000" },
        destinationAddress: address,
      });
      expect((await deliver(v1Event(tx))).status).toBe(200);
      expect(await eventRow(`${tx.id}:COMPLETED`)).toMatchObject({
        status: "ignored",
        outcome: `transaction ${tx.id} sends ETH to an address for USDC: wrong asset, no credits`,
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("keeps deposit addresses unique whatever their letter case, and credits a deposit to a case variant to the one owner", async () => {
      const owner = await depositor();
      const otherEmail = `${uid("other")}@example.com`;
      await createUser(t.db, otherEmail);
      const bech32 = `bc1q${uid("x")
        .replace(/[^a-z0-9]/g, "")
        .slice(0, 30)}`;
      await assignDepositAddress(t.db, { address: bech32, assetId: "BTC", email: owner.email });
      await expect(
        assignDepositAddress(t.db, { address: bech32.toUpperCase(), assetId: "BTC", email: otherEmail }),
      ).rejects.toThrow(/already assigned/);
      await expect(
        assignDepositAddress(t.db, {
          address: owner.address.toUpperCase().replace("0X", "0x"),
          assetId: "USDC",
          email: otherEmail,
        }),
      ).rejects.toThrow(/already assigned/);
      expect(await count(`deposit_addresses where lower(address) = lower('${bech32}')`)).toBe(1);
      expect(
        (await assignDepositAddress(t.db, { address: bech32.toUpperCase(), assetId: "BTC", email: owner.email }))
          .outcome,
      ).toBe("unchanged");

      const tx = transaction({
        assetId: "BTC",
        amount: "0.001",
        amountInfo: { amount: "0.001" },
        destinationAddress: bech32.toUpperCase(),
      });
      await deliver(v1Event(tx));
      expect((await eventRow(`${tx.id}:COMPLETED`)).status).toBe("processed");
      expect(await balanceOf(t.db, owner.user)).toBeGreaterThan(0);
    });

    it("ignores event types it does not handle", async () => {
      const event = v2Event({ id: "vault-1", name: "Deposits" }, "vault_account.created");
      await deliver(event);
      expect((await eventRow(event.id)).status).toBe("ignored");
    });
  });

  describe("signatures", () => {
    it("fetches a rotated key once when an unknown kid appears", async () => {
      const { user, address } = await depositor();
      const rotated = rsaKey();
      await jwks.setKeys([jwsKey, rotated]);
      await new Promise((r) => setTimeout(r, JWKS_COOLDOWN_MS + 50)); // past jose's refetch cooldown
      const fetchesBefore = jwks.fetches();
      const body = JSON.stringify(v1Event(transaction({ destinationAddress: address })));
      const signature = await jwsSignature(body, rotated);
      expect((await POST(fireblocksRequest(body, { "fireblocks-webhook-signature": signature }))).status).toBe(200);
      expect(jwks.fetches()).toBe(fetchesBefore + 1);
      expect(await balanceOf(t.db, user)).toBe(250);

      // the new key is cached now: a second delivery signed with it fetches nothing
      const again = JSON.stringify(v1Event(transaction({ destinationAddress: address })));
      expect(
        (await POST(fireblocksRequest(again, { "fireblocks-webhook-signature": await jwsSignature(again, rotated) })))
          .status,
      ).toBe(200);
      expect(jwks.fetches()).toBe(fetchesBefore + 1);
    });

    it("accepts a valid JWS even when the legacy signature beside it is wrong", async () => {
      const { user, address } = await depositor();
      const body = JSON.stringify(v1Event(transaction({ destinationAddress: address })));
      const res = await POST(
        fireblocksRequest(body, {
          "fireblocks-signature": legacySignature(body, strangerKey),
          "fireblocks-webhook-signature": await jwsSignature(body, jwsKey),
        }),
      );
      expect(res.status).toBe(200);
      expect(await balanceOf(t.db, user)).toBe(250);
    });

    const valid = () =>
      JSON.stringify(v1Event(transaction({ destinationAddress: "0x1111111111111111111111111111111111111111" })));
    it.each([
      ["no signature header", async () => ({ "fireblocks-signature": null }), 401],
      [
        "a legacy signature by another key",
        async (b: string) => ({ "fireblocks-signature": legacySignature(b, strangerKey) }),
        401,
      ],
      ["a garbage legacy signature", async () => ({ "fireblocks-signature": "not base64 !!" }), 401],
      [
        "a JWS by a key not in the key set",
        async (b: string) => ({ "fireblocks-webhook-signature": await jwsSignature(b, strangerKey) }),
        401,
      ],
      [
        "a JWS with another algorithm",
        async (b: string) => ({ "fireblocks-webhook-signature": await jwsSignature(b, jwsKey, { alg: "RS256" }) }),
        401,
      ],
      ["a malformed JWS", async () => ({ "fireblocks-webhook-signature": "abc.def.ghi" }), 401],
    ])("refuses %s and writes nothing", async (_name, headers, status) => {
      const before = await businessRows();
      const body = valid();
      const res = await POST(fireblocksRequest(body, await headers(body)));
      expect(res.status).toBe(status);
      expect(JSON.stringify(await res.json())).not.toMatch(/at \w+ \(|BEGIN/);
      expect(await businessRows()).toEqual(before);
    });

    it("refuses a tampered body under both schemes", async () => {
      const { user, address } = await depositor();
      const body = JSON.stringify(v1Event(transaction({ destinationAddress: address })));
      const headers = { ...legacy(body), "fireblocks-webhook-signature": await jwsSignature(body, jwsKey) };
      const before = await businessRows();
      const res = await POST(fireblocksRequest(body.replace('"12.5"', '"9999"'), headers));
      expect(res.status).toBe(401);
      expect(await businessRows()).toEqual(before);
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it.each([
      ["malformed JSON", "{not json"],
      ["a signed body that is not a notification", JSON.stringify({ hello: "world" })],
    ])("refuses %s with 400", async (_name, body) => {
      const before = await businessRows();
      const res = await POST(fireblocksRequest(body, legacy(body)));
      expect(res.status).toBe(400);
      expect(await businessRows()).toEqual(before);
    });

    it("answers 503 (retry later), not 2xx, when the key set cannot be fetched for an unknown kid", async () => {
      const body = valid();
      jwks.setDown(true);
      await new Promise((r) => setTimeout(r, JWKS_COOLDOWN_MS + 50));
      const before = await businessRows();
      try {
        const res = await POST(
          fireblocksRequest(body, { "fireblocks-webhook-signature": await jwsSignature(body, rsaKey()) }),
        );
        expect(res.status).toBe(503);
      } finally {
        jwks.setDown(false);
      }
      expect(await businessRows()).toEqual(before);
    });
  });

  it("lists Fireblocks events with the provider filter", async () => {
    const events = await listWebhookEvents(t.db, { provider: "fireblocks", limit: 200 });
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((e) => e.provider === "fireblocks")).toBe(true);
  });
});
