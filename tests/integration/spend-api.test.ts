/**
 * The public spend API (SPEC §6b) through its real route handlers, on every
 * target: every status it promises, and the attacks on it — a burst of spends
 * against a small balance, a key spending someone else's credits, a revoked
 * key, a reused Idempotency-Key with another amount.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET as balanceRoute } from "@/app/api/v1/balance/route";
import { GET as openApiRoute } from "@/app/api/v1/openapi.json/route";
import * as balanceModule from "@/app/api/v1/balance/route";
import * as openApiModule from "@/app/api/v1/openapi.json/route";
import { POST as spendRoute } from "@/app/api/v1/spend/route";
import * as spendModule from "@/app/api/v1/spend/route";
import { DatabaseUnavailableError, setDb, type Database } from "@/lib/db";
import { createApiKey, revokeApiKey } from "@/lib/db/rpc/api-keys";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { balanceOf, createUser, targets, walletsOffLedger } from "../helpers/databases";
import { unique } from "../helpers/test-database";
import { useRouteSuite } from "../helpers/route-suite";

const RATE_LIMIT = 200;

function spendRequest(
  key: string | null,
  body: unknown,
  idempotencyKey: string | null = randomUUID(),
  raw = false,
): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
  return new Request("http://app.test/api/v1/spend", {
    method: "POST",
    headers,
    body: raw ? String(body) : JSON.stringify(body),
  });
}

const balanceRequest = (key: string | null) =>
  new Request("http://app.test/api/v1/balance", { headers: key === null ? {} : { authorization: `Bearer ${key}` } });

async function call(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

describe.each(targets)("public spend API on %s", (target) => {
  const suite = useRouteSuite(target, () => ({ API_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) }));

  /** A user with `credits` in their wallet and an API key. */
  async function fundedUser(credits: number) {
    const email = `api-${unique()}@example.com`;
    const userId = await createUser(suite.db, email);
    if (credits > 0) {
      await grantCreditsForPurchase(suite.db, {
        provider: "stripe",
        externalId: `pi_api_${unique()}`,
        userId,
        credits,
        amountMinor: 100,
        currency: "usd",
      });
    }
    const { id, key } = await createApiKey(suite.db, userId, "test key");
    return { userId, email, keyId: id, key };
  }

  const spendRows = (userId: string) =>
    suite.db.query<{ delta: string; reason: string | null }>(
      "select delta::text, reason from public.credit_ledger where user_id = $1 and kind = 'spend' order by created_at, id",
      [userId],
    );

  it("answers the balance of the key's owner", async () => {
    const u = await fundedUser(120);
    expect(await call(balanceRoute(balanceRequest(u.key)))).toMatchObject({ status: 200, body: { balance: 120 } });
  });

  it("spends, answers {outcome: spent, balance, spent} and records the reason on the ledger", async () => {
    const u = await fundedUser(100);
    const r = await call(spendRoute(spendRequest(u.key, { amount: 30, reason: "image render #42" }, "order-1")));
    expect(r).toMatchObject({ status: 200, body: { outcome: "spent", balance: 70, spent: 30 } });
    expect(await spendRows(u.userId)).toEqual([{ delta: "-30", reason: "image render #42" }]);
    expect(await balanceOf(suite.db, u.userId)).toBe(70);
  });

  it("answers a retry with the same Idempotency-Key as a duplicate and spends once", async () => {
    const u = await fundedUser(100);
    const first = await call(spendRoute(spendRequest(u.key, { amount: 25 }, "retry-me")));
    const again = await call(spendRoute(spendRequest(u.key, { amount: 25 }, "retry-me")));
    expect(first.body).toEqual({ outcome: "spent", balance: 75, spent: 25 });
    expect(again).toMatchObject({ status: 200, body: { outcome: "duplicate", balance: 75, spent: 25 } });
    expect(await spendRows(u.userId)).toHaveLength(1);
  });

  it("answers 409 for the same Idempotency-Key with a different amount, and spends nothing more", async () => {
    const u = await fundedUser(100);
    await call(spendRoute(spendRequest(u.key, { amount: 10 }, "same-key")));
    const r = await call(spendRoute(spendRequest(u.key, { amount: 11 }, "same-key")));
    expect(r).toMatchObject({ status: 409, body: { error: "idempotency_conflict" } });
    expect(await balanceOf(suite.db, u.userId)).toBe(90);
  });

  it("answers 402 {error: insufficient_credits, balance} and writes nothing", async () => {
    const u = await fundedUser(50);
    const before = await suite.businessRows();
    const r = await call(spendRoute(spendRequest(u.key, { amount: 51 }, "too-much")));
    expect(r).toMatchObject({ status: 402, body: { error: "insufficient_credits", balance: 50 } });
    expect(await suite.businessRows()).toEqual(before);
    expect(await balanceOf(suite.db, u.userId)).toBe(50);
    // the refused key was not used up: the same key spends once the amount fits
    expect((await call(spendRoute(spendRequest(u.key, { amount: 51 }, "too-much")))).status).toBe(402);
  });

  it("answers 401 without a key, with an unknown key, or with a malformed Authorization header", async () => {
    const u = await fundedUser(10);
    const before = await suite.businessRows();
    for (const key of [null, `ck_${"0".repeat(64)}`, "not-a-key", `${u.key}x`]) {
      const reason = key === null ? "missing_key" : "unknown_key";
      const spent = await call(spendRoute(spendRequest(key, { amount: 1 })));
      expect(spent).toMatchObject({ status: 401, body: { error: "unauthorized", reason } });
      expect(spent.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(await call(balanceRoute(balanceRequest(key)))).toMatchObject({
        status: 401,
        body: { error: "unauthorized", reason },
      });
    }
    const basic = new Request("http://app.test/api/v1/balance", { headers: { authorization: `Basic ${u.key}` } });
    expect((await call(balanceRoute(basic))).status).toBe(401);
    expect(await suite.businessRows()).toEqual(before);
  });

  it("answers 401 once the key is revoked, and spends nothing", async () => {
    const u = await fundedUser(10);
    expect((await call(spendRoute(spendRequest(u.key, { amount: 1 })))).status).toBe(200);
    expect(await revokeApiKey(suite.db, u.userId, u.keyId)).toBe(true);
    const revoked = { error: "unauthorized", reason: "key_revoked", revoked_reason: "revoked_by_owner" };
    expect(await call(spendRoute(spendRequest(u.key, { amount: 1 })))).toMatchObject({ status: 401, body: revoked });
    expect(await call(spendRoute(spendRequest(u.key, "{", "malformed", true)))).toMatchObject({
      status: 401,
      body: revoked,
    });
    expect(await call(balanceRoute(balanceRequest(u.key)))).toMatchObject({ status: 401, body: revoked });
    expect(await balanceOf(suite.db, u.userId)).toBe(9);
  });

  it("answers 400 for malformed requests and writes nothing", async () => {
    const u = await fundedUser(100);
    const before = await suite.businessRows();
    const cases: Array<[string, Request]> = [
      ["no Idempotency-Key", spendRequest(u.key, { amount: 1 }, null)],
      ["blank Idempotency-Key", spendRequest(u.key, { amount: 1 }, "   ")],
      ["Idempotency-Key over 255", spendRequest(u.key, { amount: 1 }, "k".repeat(256))],
      ["not JSON", spendRequest(u.key, "{amount: 1", undefined, true)],
      ["empty body", spendRequest(u.key, "", undefined, true)],
      ["amount missing", spendRequest(u.key, { reason: "x" })],
      ["amount zero", spendRequest(u.key, { amount: 0 })],
      ["amount negative", spendRequest(u.key, { amount: -5 })],
      ["amount fractional", spendRequest(u.key, { amount: 1.5 })],
      ["amount as text", spendRequest(u.key, { amount: "5" })],
      ["amount too large", spendRequest(u.key, { amount: 2 ** 60 })],
      ["reason over 200", spendRequest(u.key, { amount: 1, reason: "r".repeat(201) })],
      ["reason not text", spendRequest(u.key, { amount: 1, reason: 5 })],
      ["names a user", spendRequest(u.key, { amount: 1, user_id: randomUUID() })],
      ["an array", spendRequest(u.key, [{ amount: 1 }])],
    ];
    for (const [name, request] of cases) {
      const r = await call(spendRoute(request));
      expect({ name, status: r.status, error: r.body.error }).toEqual({ name, status: 400, error: "invalid_request" });
    }
    expect(await suite.businessRows()).toEqual(before);
    // a key of exactly 255 characters and a reason of exactly 200 are fine
    const edge = await call(spendRoute(spendRequest(u.key, { amount: 1, reason: "r".repeat(200) }, "k".repeat(255))));
    expect(edge).toMatchObject({ status: 200, body: { outcome: "spent" } });
  });

  it("answers 401, not 400, to a malformed request with a bad key", async () => {
    expect((await call(spendRoute(spendRequest(`ck_${"1".repeat(64)}`, { amount: -1 }, null)))).status).toBe(401);
  });

  it("never spends another user's credits: the key alone decides whose", async () => {
    const alice = await fundedUser(100);
    const bob = await fundedUser(100);
    // Alice's key with Bob's id anywhere in the request still only ever touches Alice's wallet
    const sneaky = await call(spendRoute(spendRequest(alice.key, { amount: 10, user_id: bob.userId })));
    expect(sneaky.status).toBe(400);
    const r = await call(spendRoute(spendRequest(alice.key, { amount: 10 }, `${bob.userId}:order`)));
    expect(r.body).toMatchObject({ outcome: "spent", balance: 90 });
    // the same Idempotency-Key used by two accounts is two different spends
    const shared = "shared-order-id";
    expect((await call(spendRoute(spendRequest(alice.key, { amount: 5 }, shared)))).body).toMatchObject({
      outcome: "spent",
      balance: 85,
    });
    expect((await call(spendRoute(spendRequest(bob.key, { amount: 7 }, shared)))).body).toMatchObject({
      outcome: "spent",
      balance: 93,
    });
    expect([await balanceOf(suite.db, alice.userId), await balanceOf(suite.db, bob.userId)]).toEqual([85, 93]);
    expect(await call(balanceRoute(balanceRequest(bob.key)))).toMatchObject({ body: { balance: 93 } });
  });

  it("lets exactly as many of 60 concurrent spends through as the balance pays for, never below zero", async () => {
    const u = await fundedUser(100);
    const second = await createApiKey(suite.db, u.userId, "second key"); // two keys, one wallet
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(spendRoute(spendRequest(i % 2 ? u.key : second.key, { amount: 7 }, `burst-${i}`))),
      ),
    );
    const spent = results.filter((r) => r.status === 200 && r.body.outcome === "spent");
    const refused = results.filter((r) => r.status === 402);
    expect(spent).toHaveLength(Math.floor(100 / 7)); // 14
    expect(refused).toHaveLength(60 - 14);
    expect(
      refused.every(
        (r) => r.body.error === "insufficient_credits" && Number(r.body.balance) >= 0 && Number(r.body.balance) < 7,
      ),
    ).toBe(true);
    expect(spent.map((r) => Number(r.body.balance)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 14 }, (_, i) => 100 - 7 * (14 - i)).sort((a, b) => a - b),
    );
    expect(await balanceOf(suite.db, u.userId)).toBe(2);
    expect(await spendRows(u.userId)).toHaveLength(14);
    expect(await walletsOffLedger(suite.db)).toEqual([]);
  });

  it("spends once when 50 retries of one Idempotency-Key arrive at the same time", async () => {
    const u = await fundedUser(100);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call(spendRoute(spendRequest(u.key, { amount: 40 }, "one-order")))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.outcome === "spent")).toHaveLength(1);
    expect(results.filter((r) => r.body.outcome === "duplicate")).toHaveLength(49);
    expect(await balanceOf(suite.db, u.userId)).toBe(60);
  });

  it("answers 429 with Retry-After past the key's rate limit, per key, counting in the database", async () => {
    const u = await fundedUser(1_000);
    const other = await createApiKey(suite.db, u.userId, "other key");
    const statuses = await Promise.all(
      Array.from({ length: RATE_LIMIT + 20 }, (_, i) =>
        call(balanceRoute(balanceRequest(u.key))).then((r) => ({ i, ...r })),
      ),
    );
    expect(statuses.filter((r) => r.status === 200)).toHaveLength(RATE_LIMIT);
    const limited = statuses.filter((r) => r.status === 429);
    expect(limited).toHaveLength(20);
    for (const r of limited) {
      expect(r.body).toMatchObject({ error: "rate_limited" });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    }
    // a spend past the limit is refused before it spends anything
    const before = await balanceOf(suite.db, u.userId);
    expect((await call(spendRoute(spendRequest(u.key, { amount: 1 })))).status).toBe(429);
    expect(await balanceOf(suite.db, u.userId)).toBe(before);
    // another key of the same account has its own window
    expect((await call(balanceRoute(balanceRequest(other.key)))).status).toBe(200);
    // the window is over: the key works again
    await suite.db.query(
      "update public.api_keys set rate_window_started_at = now() - interval '61 seconds' where id = $1",
      [u.keyId],
    );
    expect((await call(balanceRoute(balanceRequest(u.key)))).status).toBe(200);
  });

  it("records when a key was last used", async () => {
    const u = await fundedUser(10);
    const lastUsed = async () =>
      (
        await suite.db.query<{ last_used_at: Date | null }>("select last_used_at from public.api_keys where id = $1", [
          u.keyId,
        ])
      )[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    await call(balanceRoute(balanceRequest(u.key)));
    expect(await lastUsed()).toBeInstanceOf(Date);
  });

  it("answers 503 with Retry-After, and no database detail, when the database is unreachable", async () => {
    const u = await fundedUser(10);
    const down: Database = {
      mode: "postgres",
      rpc: () => Promise.reject(new DatabaseUnavailableError("database unavailable (ECONNREFUSED 10.0.0.5:5432)")),
      close: async () => {},
    };
    setDb(down);
    for (const response of [spendRoute(spendRequest(u.key, { amount: 1 })), balanceRoute(balanceRequest(u.key))]) {
      const r = await call(response);
      expect(r.status).toBe(503);
      expect(r.body.error).toBe("unavailable");
      expect(r.headers.get("retry-after")).toBe("5");
      expect(JSON.stringify(r.body)).not.toMatch(/ECONNREFUSED|10\.0\.0\.5/);
    }
  });

  it("describes the routes at /api/v1/openapi.json", async () => {
    const r = await call(openApiRoute());
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    const paths = r.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths).sort()).toEqual([
      "/api/v1/balance",
      "/api/v1/holds",
      "/api/v1/holds/{id}",
      "/api/v1/holds/{id}/capture",
      "/api/v1/holds/{id}/release",
      "/api/v1/spend",
    ]);
    expect(Object.keys(paths["/api/v1/spend"].post.responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "402", "409", "429"]),
    );
    // a revoked key's 401 says why (issue 26)
    const unauthorized = JSON.stringify(paths["/api/v1/balance"].get.responses["401"]);
    for (const word of ["key_revoked", "password_changed", "signed_out_everywhere", "account_disabled"]) {
      expect(unauthorized).toContain(word);
    }
  });

  it("answers a method a route does not take with JSON 405 {error: method_not_allowed} and an Allow header", async () => {
    const routes: Array<[string, Record<string, unknown>, string]> = [
      ["/api/v1/spend", spendModule, "POST"],
      ["/api/v1/balance", balanceModule, "GET, HEAD"],
      ["/api/v1/openapi.json", openApiModule, "GET, HEAD"],
    ];
    for (const [path, module, allow] of routes) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allow.includes(m))) {
        const handler = module[method];
        expect({ path, method, handler: typeof handler }).toEqual({ path, method, handler: "function" });
        const r = await call(
          (handler as (request: Request) => Response | Promise<Response>)(
            new Request(`http://app.test${path}`, { method }),
          ),
        );
        expect({ path, method, status: r.status, body: r.body }).toEqual({
          path,
          method,
          status: 405,
          body: { error: "method_not_allowed" },
        });
        expect(r.headers.get("allow")).toBe(allow);
      }
    }
  });
});
