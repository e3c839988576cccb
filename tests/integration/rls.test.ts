/**
 * Row level security and privileges, exercised exactly as PostgREST does it:
 * `set local role authenticated` plus `request.jwt.claims` inside a transaction.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noneAction } from "@/lib/db/actions";
import { classifyDriverError, DatabaseError } from "@/lib/db/errors";
import { createApiKey } from "@/lib/db/rpc/api-keys";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { balanceOf, createUser, openTestDatabase, targets, type TestDatabase } from "../helpers/databases";
import { unique } from "../helpers/test-database";
import { spendCredits } from "../helpers/credit-rpc";

type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

interface Claims {
  sub?: string;
  role: "authenticated" | "anon";
  email?: string;
}

/** One connection for a whole transaction: PGlite has only one; on a server we open our own client. */
async function openSession(t: TestDatabase): Promise<{ query: Query; close: () => Promise<void> }> {
  if (!t.url) return { query: t.db.query.bind(t.db) as Query, close: async () => {} };
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  return {
    query: async <Row>(sql: string, params?: unknown[]) => {
      try {
        return (await client.query(sql, params)).rows as Row[];
      } catch (error) {
        throw classifyDriverError(error);
      }
    },
    close: () => client.end(),
  };
}

describe.each(targets)("row level security on %s", (target) => {
  let t: TestDatabase;
  let session: Awaited<ReturnType<typeof openSession>>;
  const run = unique();
  const emails = { a: `a-${run}@example.com`, b: `b-${run}@example.com`, admin: `admin-${run}@example.com` };
  const ids = { a: "", b: "", admin: "" };

  /** Runs fn as `role` with these claims in a transaction that is always rolled back. */
  async function as<T>(claims: Claims, fn: (q: Query) => Promise<T>): Promise<T> {
    await session.query("begin");
    try {
      await session.query(`set local role ${claims.role}`);
      await session.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify(claims)]);
      return await fn(session.query);
    } finally {
      await session.query("rollback");
    }
  }
  const userA = (): Claims => ({ sub: ids.a, role: "authenticated", email: emails.a });
  const admin = (): Claims => ({ sub: ids.admin, role: "authenticated", email: emails.admin });
  const anon: Claims = { role: "anon" };

  /** The error a statement run as `claims` fails with. */
  async function refusal(claims: Claims, sql: string, params?: unknown[]): Promise<DatabaseError> {
    const error = await as(claims, (q) => q(sql, params)).then(
      (rows) => {
        throw new Error(`expected "${sql}" to be refused, got ${JSON.stringify(rows)}`);
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }

  beforeAll(async () => {
    t = await openTestDatabase(target);
    session = await openSession(t);
    // A bought before signing up (claimed at sign-up), then twice more; B once; one e-mail never signs up.
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: `pi_a0_${run}`,
      email: emails.a,
      credits: 10,
      amountMinor: 100,
      currency: "usd",
    });
    ids.a = await createUser(t.db, emails.a);
    ids.b = await createUser(t.db, emails.b);
    ids.admin = await createUser(t.db, emails.admin);
    for (const [user, ext] of [
      [ids.a, "a1"],
      [ids.a, "a2"],
      [ids.b, "b1"],
    ]) {
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: `pi_${ext}_${run}`,
        userId: user,
        credits: 100,
        amountMinor: 1000,
        currency: "usd",
      });
    }
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: `pi_n_${run}`,
      email: `nobody-${run}@example.com`,
      credits: 5,
      amountMinor: 50,
      currency: "usd",
    });
    await spendCredits(t.db, ids.b, 1, "b-spend");
    await ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId: `evt_${run}`,
      eventType: "test.rls",
      payload: { email: emails.a },
      action: noneAction("processed", "recorded"),
    });
    await t.db.query(
      "insert into public.credit_packages (id, name, credits, amount_minor, currency, active) values ('retired', 'Retired', 1, 1, 'usd', false)",
    );
    await syncAdminEmails(t.db, [emails.admin]);
  });
  afterAll(async () => {
    await session?.close();
    await t?.drop();
  });

  it("lets a user read only their own wallet, purchases, ledger, pending grants and profile", async () => {
    const seen = await as(userA(), async (q) => ({
      wallets: await q<{ user_id: string; balance: string }>("select user_id, balance::text from public.wallets"),
      purchases: await q<{ user_id: string }>("select user_id from public.purchases"),
      ledger: await q<{ user_id: string; kind: string }>(
        "select user_id, kind from public.credit_ledger order by kind",
      ),
      grants: await q<{ claimed_by: string; email: string }>(
        "select claimed_by, email from public.pending_credit_grants",
      ),
      profiles: await q<{ id: string }>("select id from public.profiles"),
    }));
    expect(seen.wallets).toEqual([{ user_id: ids.a, balance: "210" }]);
    expect(seen.purchases).toEqual([{ user_id: ids.a }, { user_id: ids.a }, { user_id: ids.a }]);
    expect(seen.ledger).toEqual([
      { user_id: ids.a, kind: "claim" },
      { user_id: ids.a, kind: "purchase" },
      { user_id: ids.a, kind: "purchase" },
    ]);
    expect(seen.grants).toEqual([{ claimed_by: ids.a, email: emails.a }]);
    expect(seen.profiles).toEqual([{ id: ids.a }]);
  });

  it("shows a user no webhook events, attempts or alerts", async () => {
    const [{ n }] = await t.db.query<{ n: number }>("select count(*)::int as n from public.webhook_events");
    expect(n).toBeGreaterThan(0);
    const seen = await as(userA(), async (q) => ({
      events: await q("select * from public.webhook_events"),
      attempts: await q("select * from public.webhook_event_attempts"),
      alerts: await q("select * from public.trading_alerts"),
    }));
    expect(seen).toEqual({ events: [], attempts: [], alerts: [] });
  });

  it("lets a user insert, update or delete no table", async () => {
    const tables = await t.db.query<{ name: string; col: string }>(
      `select c.relname as name, (select a.attname from pg_attribute a
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attidentity = '' and a.attgenerated = ''
                 order by a.attnum limit 1) as col
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    expect(tables.map((x) => x.name)).toEqual(
      expect.arrayContaining(["wallets", "purchases", "credit_ledger", "webhook_events"]),
    );
    for (const { name, col } of [...tables, { name: "users", col: "id" }]) {
      const table = name === "users" ? "auth.users" : `public.${name}`;
      for (const sql of [
        `insert into ${table} default values`,
        `update ${table} set ${col} = ${col}`,
        `delete from ${table}`,
      ]) {
        const error = await refusal(userA(), sql);
        expect({ sql, code: error.code, message: error.message }).toEqual({
          sql,
          code: "42501",
          message: expect.stringMatching(/permission denied for table/),
        });
      }
    }
    expect(await balanceOf(t.db, ids.a)).toBe(210);
  });

  it("refuses service-only functions to a user with 'permission denied'", async () => {
    const calls = [
      `select public.grant_credits_for_purchase('stripe', 'pi_self_${run}', '${ids.a}', null, 1000000, 0, 'usd')`,
      `select public.reverse_purchase_credits('stripe', 'pi_b1_${run}', 'refund', 'x', 1000)`,
      `select public.claim_pending_credit_grants('${ids.a}', 'nobody-${run}@example.com')`,
      `select public.ingest_webhook_event('stripe', 'evt_self', 't', '{}', 'none', '{}')`,
      `select public.ingest_webhook_events('[{"p_provider": "stripe", "p_event_id": "evt_self", "p_payload": {}, "p_action": "none"}]')`,
      `select public.retry_webhook_event('${randomUUID()}', 'none', '{}')`,
      `select * from public.claim_due_webhook_events()`,
      `select * from public.list_webhook_events()`,
      `select public.get_webhook_event('${randomUUID()}')`,
      `select public.webhook_metrics(now())`,
      `select public.webhook_action_grant('{}')`,
      `select public.sync_admin_emails(array['${emails.a}'])`,
      `select public.upsert_subscription('stripe', 's', 'active', null, null, null, null, null, null, false, now())`,
      `select public.health_check()`,
      `select public.local_create_account('x-${run}@example.com', 'h')`,
      `select public.local_find_account('${emails.b}')`,
    ];
    for (const sql of calls) {
      for (const claims of [userA(), anon]) {
        const error = await refusal(claims, sql);
        expect({ sql, code: error.code, message: error.message }).toEqual({
          sql,
          code: "42501",
          message: expect.stringMatching(/permission denied for function/),
        });
      }
    }
  });

  it("grants EXECUTE to users only on spend_credits and is_admin", async () => {
    const callable = async (role: string) =>
      (
        await t.db.query<{ fn: string }>(
          `select p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and has_function_privilege($1, p.oid, 'execute') order by 1`,
          [role],
        )
      ).map((r) => r.fn);
    expect(await callable("authenticated")).toEqual(["is_admin()", "spend_credits(uuid,bigint,text)"]);
    expect(await callable("anon")).toEqual(["is_admin()"]);
  });

  it("lets a user spend their own credits but not another user's, and never overdraw", async () => {
    const spent = await as(userA(), (q) =>
      q<{ r: { outcome: string; balance: number } }>("select public.spend_credits($1, 10, 'rls-own') as r", [ids.a]),
    );
    expect(spent[0].r).toEqual({ outcome: "spent", balance: 200 });

    const other = await refusal(userA(), "select public.spend_credits($1, 10, 'rls-steal')", [ids.b]);
    expect({ code: other.code, message: other.message }).toEqual({
      code: "42501",
      message: "cannot spend another user's credits",
    });

    const overdraw = await refusal(userA(), "select public.spend_credits($1, 211, 'rls-overdraw')", [ids.a]);
    expect({ code: overdraw.code, message: overdraw.message }).toMatchObject({
      code: "P0001",
      message: expect.stringMatching(/insufficient credits/),
    });

    const noSession = await refusal({ role: "authenticated" }, "select public.spend_credits($1, 1, 'rls-nobody')", [
      ids.b,
    ]);
    expect(noSession.code).toBe("42501");
    const anonymous = await refusal(anon, "select public.spend_credits($1, 1, 'rls-anon')", [ids.b]);
    expect(anonymous.code).toBe("42501");

    // a direct connection that only did `set role authenticated`, with no claims at all
    await session.query("begin");
    try {
      await session.query("set local role authenticated");
      const bare = await session.query("select public.spend_credits($1, 1, 'rls-bare')", [ids.b]).then(
        () => null,
        (e: DatabaseError) => e,
      );
      expect(bare?.code).toBe("42501");
    } finally {
      await session.query("rollback");
    }

    // everything above ran in rolled-back transactions
    expect([await balanceOf(t.db, ids.a), await balanceOf(t.db, ids.b)]).toEqual([210, 99]);
  });

  it("lets a user read their own API keys but never a key's hash", async () => {
    const mine = await createApiKey(t.db, ids.a, "a's key");
    await createApiKey(t.db, ids.b, "b's key");
    const seen = await as(userA(), (q) => q<{ id: string; name: string }>("select id, name from public.api_keys"));
    expect(seen).toEqual([{ id: mine.id, name: "a's key" }]);
    const hash = await refusal(userA(), "select key_hash from public.api_keys");
    expect(hash.code).toBe("42501");
    const anonymous = await refusal(anon, "select id from public.api_keys");
    expect(anonymous.code).toBe("42501");
  });

  it("lets an admin (profiles.is_admin set by sync_admin_emails) read everything", async () => {
    const counts = async (q: Query) =>
      q<{
        wallets: number;
        purchases: number;
        ledger: number;
        grants: number;
        events: number;
        attempts: number;
        profiles: number;
        packages: number;
      }>(
        `select (select count(*)::int from public.wallets) as wallets,
                (select count(*)::int from public.purchases) as purchases,
                (select count(*)::int from public.credit_ledger) as ledger,
                (select count(*)::int from public.pending_credit_grants) as grants,
                (select count(*)::int from public.webhook_events) as events,
                (select count(*)::int from public.webhook_event_attempts) as attempts,
                (select count(*)::int from public.profiles) as profiles,
                (select count(*)::int from public.credit_packages) as packages`,
      );
    const [everything] = await counts(t.db.query.bind(t.db) as Query);
    const [seen] = await as(admin(), counts);
    expect(seen).toEqual(everything);
    expect(seen.wallets).toBe(3);
    expect(seen.events).toBe(1);
  });

  it("lets anonymous visitors read only the active credit packages", async () => {
    const packs = await as(anon, (q) => q<{ id: string }>("select id from public.credit_packages order by id"));
    expect(packs.map((p) => p.id)).toEqual(["pro", "scale", "starter"]);
    for (const table of [
      "wallets",
      "purchases",
      "credit_ledger",
      "pending_credit_grants",
      "webhook_events",
      "profiles",
    ]) {
      const error = await refusal(anon, `select * from public.${table}`);
      expect({ table, code: error.code }).toEqual({ table, code: "42501" });
    }
  });

  it("lets a signed-in non-admin see the active packs but not retired ones", async () => {
    const packs = await as(userA(), (q) => q<{ id: string }>("select id from public.credit_packages order by id"));
    expect(packs.map((p) => p.id)).toEqual(["pro", "scale", "starter"]);
  });

  // last: it adds an account, which the counts above do not expect
  it("shows a pending grant filed for an address to nobody but admins until the confirmation claims it", async () => {
    const address = `nobody-${run}@example.com`;
    const squatter = await createUser(t.db, address.toUpperCase(), { confirmed: false });
    const grantsSeenBy = (claims: Claims) =>
      as(claims, (q) =>
        q<{ email: string }>("select email from public.pending_credit_grants where claimed_at is null"),
      );
    expect(await grantsSeenBy({ sub: squatter, role: "authenticated", email: address })).toEqual([]);
    expect(await grantsSeenBy({ sub: ids.b, role: "authenticated", email: address })).toEqual([]); // a claim naming it
    expect(await grantsSeenBy(admin())).toEqual([{ email: address }]);
  });
});
