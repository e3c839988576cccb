/**
 * The holds API (/api/v1/holds…) through its real route handlers, on every target: every status it
 * promises, and the attacks — 40 holds at once against a small balance, a capture repeated or raced, a
 * capture after release or expiry, another account's key on a hold, a spend into held credits, a reused
 * Idempotency-Key with another amount, a revoked key, malformed input (nothing written).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET as balanceRoute } from "@/app/api/v1/balance/route";
import * as holdsModule from "@/app/api/v1/holds/route";
import * as holdModule from "@/app/api/v1/holds/[id]/route";
import * as captureModule from "@/app/api/v1/holds/[id]/capture/route";
import * as releaseModule from "@/app/api/v1/holds/[id]/release/route";
import { POST as spendRoute } from "@/app/api/v1/spend/route";
import { GET as cronRoute } from "@/app/api/cron/webhooks/route";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { createApiKey, revokeApiKey } from "@/lib/db/rpc/api-keys";
import { adjustCredits, grantCreditsForPurchase, listCreditLots } from "@/lib/db/rpc/credits";
import { creditInvariantViolations } from "@/lib/db/rpc/holds";
import { createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { unique } from "../helpers/test-database";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function request(
  path: string,
  key: string | null,
  init: { method?: string; body?: unknown; idem?: string | null } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (init.idem) headers["idempotency-key"] = init.idem;
  const body =
    init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  return new Request(`http://app.test${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
}

async function call(response: Response | Promise<Response>) {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, any>, headers: r.headers }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

describe.each(targets)("holds API on %s", (target) => {
  const suite = useRouteSuite(target, () => ({
    API_RATE_LIMIT_PER_MINUTE: "1000",
    CRON_SECRET: "cron-secret-for-holds",
    CREDIT_PACK_EXPIRY_DAYS: "30",
  }));

  async function fundedUser(credits: number) {
    const userId = await createUser(suite.db, `holds-${unique()}@example.com`);
    if (credits > 0) {
      await grantCreditsForPurchase(suite.db, {
        provider: "stripe",
        externalId: `pi_h_${unique()}`,
        userId,
        credits,
        amountMinor: 100,
        currency: "usd",
      });
    }
    const { id, key } = await createApiKey(suite.db, userId, "holds key");
    return { userId, keyId: id, key };
  }

  const create = (key: string, body: unknown, idem: string | null = randomUUID()) =>
    call(holdsModule.POST(request("/api/v1/holds", key, { body, idem })));
  const capture = (key: string, id: string, body?: unknown) =>
    call(captureModule.POST(request(`/api/v1/holds/${id}/capture`, key, { method: "POST", body }), ctx(id)));
  const release = (key: string, id: string) =>
    call(releaseModule.POST(request(`/api/v1/holds/${id}/release`, key, { method: "POST" }), ctx(id)));
  const get = (key: string, id: string) => call(holdModule.GET(request(`/api/v1/holds/${id}`, key), ctx(id)));
  const balance = async (key: string) => (await call(balanceRoute(request("/api/v1/balance", key)))).body;
  const spend = (key: string, amount: number) =>
    call(spendRoute(request("/api/v1/spend", key, { body: { amount }, idem: randomUUID() })));

  it("holds → 201 {outcome: held, hold, balance, available}; balance shows available and held", async () => {
    const u = await fundedUser(100);
    const r = await create(u.key, { amount: 40, reason: "stream #1", expires_in_seconds: 60 });
    expect(r).toMatchObject({
      status: 201,
      body: {
        outcome: "held",
        balance: 100,
        available: 60,
        hold: { amount: 40, status: "active", reason: "stream #1" },
      },
    });
    const expiresIn = (Date.parse(r.body.hold.expires_at) - Date.parse(r.body.hold.created_at)) / 1000;
    expect(expiresIn).toBeCloseTo(60, 0);
    expect(await balance(u.key)).toEqual({ balance: 100, available: 60, held: 40 });
  });

  it("hold → stream → capture: spends what it cost with the hold's reason, frees the rest, and repeats as duplicate", async () => {
    const u = await fundedUser(100);
    const held = await create(u.key, { amount: 50, reason: "answer #7" });
    const id = held.body.hold.id as string;
    const c = await capture(u.key, id, { amount: 18 });
    expect(c).toMatchObject({
      status: 200,
      body: { outcome: "captured", balance: 82, available: 82, hold: { status: "captured", captured: 18 } },
    });
    expect(await capture(u.key, id, { amount: 18 })).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect(await capture(u.key, id)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect(await release(u.key, id)).toMatchObject({ status: 409, body: { error: "hold_not_active" } });
    const rows = await suite.db.query<{ delta: string; kind: string; reason: string }>(
      "select delta::text, kind, reason from public.credit_ledger where user_id = $1 and kind = 'capture'",
      [u.userId],
    );
    expect(rows).toEqual([{ delta: "-18", kind: "capture", reason: "answer #7" }]);
    expect(await get(u.key, id)).toMatchObject({
      status: 200,
      body: { hold: { id, status: "captured", captured: 18 } },
    });
  });

  it("captures the whole hold without a body; more than held → 400 and nothing spent", async () => {
    const u = await fundedUser(100);
    const id = (await create(u.key, { amount: 30 })).body.hold.id as string;
    expect(await capture(u.key, id, { amount: 31 })).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(await capture(u.key, id, { amount: -1 })).toMatchObject({ status: 400 });
    expect(await capture(u.key, id, "not json")).toMatchObject({ status: 400 });
    expect(await balance(u.key)).toEqual({ balance: 100, available: 70, held: 30 });
    expect(await capture(u.key, id)).toMatchObject({ status: 200, body: { outcome: "captured", balance: 70 } });
  });

  it("releases once (again → duplicate); a released hold cannot be captured (409 hold_not_active)", async () => {
    const u = await fundedUser(100);
    const id = (await create(u.key, { amount: 30 })).body.hold.id as string;
    expect(await release(u.key, id)).toMatchObject({ status: 200, body: { outcome: "released", available: 100 } });
    expect(await release(u.key, id)).toMatchObject({ status: 200, body: { outcome: "duplicate" } });
    expect(await capture(u.key, id)).toMatchObject({ status: 409, body: { error: "hold_not_active" } });
    expect(await balance(u.key)).toEqual({ balance: 100, available: 100, held: 0 });
  });

  it("frees an expired hold at once: balance, spend and a new hold see it; capture/release → 409", async () => {
    const u = await fundedUser(100);
    const id = (await create(u.key, { amount: 90, expires_in_seconds: 1 })).body.hold.id as string;
    expect(await spend(u.key, 20)).toMatchObject({
      status: 402,
      body: { error: "insufficient_credits", balance: 100 },
    });
    await sleep(1100);
    expect(await balance(u.key)).toEqual({ balance: 100, available: 100, held: 0 });
    expect(await get(u.key, id)).toMatchObject({ status: 200, body: { hold: { status: "expired" } } });
    expect(await capture(u.key, id)).toMatchObject({ status: 409, body: { error: "hold_not_active" } });
    expect(await release(u.key, id)).toMatchObject({ status: 409, body: { error: "hold_not_active" } });
    expect(await spend(u.key, 100)).toMatchObject({ status: 200, body: { outcome: "spent", balance: 0 } });
  });

  it("answers the same Idempotency-Key and amount as a duplicate (200), another amount 409", async () => {
    const u = await fundedUser(100);
    const first = await create(u.key, { amount: 10 }, "job-42");
    expect(await create(u.key, { amount: 10 }, "job-42")).toMatchObject({
      status: 200,
      body: { outcome: "duplicate", hold: { id: first.body.hold.id } },
    });
    expect(await create(u.key, { amount: 11 }, "job-42")).toMatchObject({
      status: 409,
      body: { error: "idempotency_conflict" },
    });
    expect(await balance(u.key)).toEqual({ balance: 100, available: 90, held: 10 });
  });

  it("answers 402 {insufficient_credits} when available is short, and a spend into held credits 402 too", async () => {
    const u = await fundedUser(50);
    await create(u.key, { amount: 40 });
    expect(await create(u.key, { amount: 11 })).toMatchObject({
      status: 402,
      body: { error: "insufficient_credits", balance: 50, available: 10 },
    });
    expect(await spend(u.key, 11)).toMatchObject({ status: 402, body: { error: "insufficient_credits" } });
    const [{ n }] = await suite.db.query<{ n: string }>(
      "select count(*)::text as n from public.credit_holds where user_id = $1",
      [u.userId],
    );
    expect(n).toBe("1");
  });

  it("answers 404 not_found for another account's hold, an unknown id and a malformed id, and changes nothing", async () => {
    const owner = await fundedUser(100);
    const stranger = await fundedUser(100);
    const id = (await create(owner.key, { amount: 60 })).body.hold.id as string;
    for (const r of [
      await get(stranger.key, id),
      await capture(stranger.key, id),
      await release(stranger.key, id),
      await get(owner.key, randomUUID()),
      await capture(owner.key, "not-a-uuid"),
    ]) {
      expect(r).toMatchObject({ status: 404, body: { error: "not_found" } });
    }
    expect(await balance(owner.key)).toEqual({ balance: 100, available: 40, held: 60 });
    expect(await balance(stranger.key)).toEqual({ balance: 100, available: 100, held: 0 });
  });

  it("answers 400 for malformed holds and writes nothing; 401 without a key or with a revoked one", async () => {
    const u = await fundedUser(100);
    for (const [body, idem] of [
      [{ amount: 0 }, "a"],
      [{ amount: 1.5 }, "b"],
      [{ amount: 1, expires_in_seconds: 0 }, "c"],
      [{ amount: 1, expires_in_seconds: 86401 }, "d"],
      [{ amount: 1, reason: "x".repeat(201) }, "e"],
      [{ amount: 1, user_id: randomUUID() }, "f"],
      ["{", "g"],
      [{ amount: 1 }, null],
    ] as Array<[unknown, string | null]>) {
      expect(await create(u.key, body, idem)).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    }
    expect(await create("ck_" + "0".repeat(64), { amount: 1 })).toMatchObject({ status: 401 });
    expect(
      await call(holdsModule.POST(request("/api/v1/holds", null, { body: { amount: 1 }, idem: "x" }))),
    ).toMatchObject({
      status: 401,
      body: { reason: "missing_key" },
    });
    await revokeApiKey(suite.db, u.userId, u.keyId);
    expect(await create(u.key, { amount: 1 })).toMatchObject({ status: 401, body: { reason: "key_revoked" } });
    const [{ n }] = await suite.db.query<{ n: string }>(
      "select count(*)::text as n from public.credit_holds where user_id = $1",
      [u.userId],
    );
    expect(n).toBe("0");
  });

  it("lists the key owner's holds, filtered by status (an expired one reads expired)", async () => {
    const u = await fundedUser(100);
    const a = (await create(u.key, { amount: 10 })).body.hold.id as string;
    const b = (await create(u.key, { amount: 10 })).body.hold.id as string;
    await create(u.key, { amount: 10, expires_in_seconds: 1 });
    await capture(u.key, b, { amount: 5 });
    await sleep(1100);
    const list = (status: string) =>
      call(holdsModule.GET(request(`/api/v1/holds${status ? `?status=${status}` : ""}`, u.key)));
    expect((await list("active")).body.holds.map((h: { id: string }) => h.id)).toEqual([a]);
    expect((await list("")).body.holds.map((h: { status: string }) => h.status)).toEqual([
      "expired",
      "captured",
      "active",
    ]);
    expect(await list("bogus")).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });

  it("lets exactly as many of 40 concurrent holds through as the balance covers", async () => {
    const u = await fundedUser(100);
    const results = await Promise.all(Array.from({ length: 40 }, () => create(u.key, { amount: 8 })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(12);
    expect(results.filter((r) => r.status === 402)).toHaveLength(28);
    expect(await balance(u.key)).toEqual({ balance: 100, available: 4, held: 96 });
  });

  it("captures once when 40 captures race, and spends beside them never overshoot", async () => {
    const u = await fundedUser(100);
    const id = (await create(u.key, { amount: 50 })).body.hold.id as string;
    const results = await Promise.all([
      ...Array.from({ length: 30 }, () => capture(u.key, id, { amount: 40 })),
      ...Array.from({ length: 10 }, () => spend(u.key, 10)),
    ]);
    const captures = results.slice(0, 30);
    expect(captures.filter((r) => r.body.outcome === "captured")).toHaveLength(1);
    expect(captures.filter((r) => r.body.outcome === "duplicate")).toHaveLength(29);
    const spends = results.slice(30).filter((r) => r.status === 200).length;
    // 50 available beside the hold, 10 more once the capture frees them: at most 6 spends of 10, whatever the order
    expect(spends).toBeGreaterThanOrEqual(5);
    expect(spends).toBeLessThanOrEqual(6);
    const left = 100 - 40 - spends * 10;
    expect(await balance(u.key)).toEqual({ balance: left, available: left, held: 0 });
    expect(await creditInvariantViolations(suite.db)).toEqual([]);
  });

  it("the sweep (GET /api/cron/webhooks) marks expired holds, writes off expired lots, and applies CREDIT_PACK_EXPIRY_DAYS", async () => {
    const u = await fundedUser(0);
    const adminEmail = `holds-admin-${unique()}@example.com`;
    const admin = await createUser(suite.db, adminEmail);
    await syncAdminEmails(suite.db, [adminEmail]);
    await adjustCredits(suite.db, {
      userId: u.userId,
      delta: 30,
      reason: "trial",
      adminId: admin,
      expiresAt: new Date(Date.now() + 1000),
    });
    const id = (await create(u.key, { amount: 10, expires_in_seconds: 1 })).body.hold.id as string;
    await sleep(1100);
    const sweep = await call(
      cronRoute(
        new Request("http://app.test/api/cron/webhooks", {
          headers: { authorization: "Bearer cron-secret-for-holds" },
        }),
      ),
    );
    expect(sweep.status).toBe(200);
    expect(sweep.body.credits.holdsExpired).toBeGreaterThanOrEqual(1);
    expect(sweep.body.credits.lotsExpired).toBeGreaterThanOrEqual(1);
    const [h] = await suite.db.query<{ status: string }>("select status from public.credit_holds where id = $1", [id]);
    expect(h.status).toBe("expired");
    const expired = await suite.db.query<{ delta: string }>(
      "select delta::text from public.credit_ledger where user_id = $1 and kind = 'expire'",
      [u.userId],
    );
    expect(expired).toEqual([{ delta: "-30" }]);
    // the sweep wrote CREDIT_PACK_EXPIRY_DAYS: a pack bought now lasts 30 days
    await grantCreditsForPurchase(suite.db, {
      provider: "stripe",
      externalId: `pi_h_${unique()}`,
      userId: u.userId,
      credits: 5,
      amountMinor: 100,
      currency: "usd",
    });
    const [lot] = (await listCreditLots(suite.db, u.userId)).filter((l) => l.source === "purchase");
    expect((lot.expires_at!.getTime() - Date.now()) / 86_400_000).toBeCloseTo(30, 1);
    expect(await creditInvariantViolations(suite.db)).toEqual([]);
  });
});
