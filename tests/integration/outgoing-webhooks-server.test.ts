/**
 * Outgoing webhooks on running servers (`next start`, two instances on one
 * Postgres database): due deliveries go out within 10 s without any cron, each
 * event reaches the receiver once although both instances run the sender, and
 * LOW_BALANCE_THRESHOLD reaches the SQL at start-up.
 * Needs DATABASE_URL and RUN_FAULT_TESTS=1 (shares the fault suite's build).
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, migrateServerDatabase, serverUrl } from "../helpers/databases";
import { ensureBuild, freePort, ROOT, startNextServer, type NextServer } from "../helpers/server";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver";

const enabled = Boolean(serverUrl) && process.env.RUN_FAULT_TESTS === "1";

describe.skipIf(!enabled)("outgoing webhooks on two running instances (next start + Postgres)", () => {
  let database: { url: string; drop: () => Promise<void> };
  let client: pg.Client;
  let receiver: WebhookReceiver;
  let secret: string;
  const servers: NextServer[] = [];

  beforeAll(async () => {
    const build = await ensureBuild({ distDir: ".next-fault" });
    database = await createServerDatabase("credits_outgoing");
    await migrateServerDatabase(database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    receiver = await startWebhookReceiver();
    const { rows } = await client.query<{ r: { secret: string } }>(
      "select public.create_webhook_endpoint($1, array['credits.granted', 'balance.low']) as r",
      [receiver.url],
    );
    secret = rows[0].r.secret;
    const env = {
      DATABASE_URL: database.url,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      APP_DATA_DIR: path.join(ROOT, ".data", "outgoing"),
      PG_POOL_MAX: "4",
      LOW_BALANCE_THRESHOLD: "60",
      // the receiver listens on 127.0.0.1 over http
      OUTGOING_WEBHOOKS_ALLOW_PRIVATE: "1",
    };
    for (const range of [
      [3580, 3584],
      [3585, 3589],
    ] as const) {
      servers.push(await startNextServer({ build, port: await freePort(...range), env }));
    }
  }, 20 * 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await receiver?.close();
    await client?.end();
    await database?.drop();
  });

  it("delivers each grant once within 10 s, with both instances running the sender", async () => {
    const users = (
      await client.query<{ id: string }>(
        "insert into auth.users (email, email_confirmed_at) select 'outgoing-' || i || '-' || $1 || '@example.com', now() from generate_series(1, 12) i returning id",
        [randomBytes(3).toString("hex")],
      )
    ).rows.map((r) => r.id);
    const started = Date.now();
    await Promise.all(
      users.map(async (user, i) => {
        const event = stripeEvent(
          "checkout.session.completed",
          checkoutSession({ client_reference_id: user, metadata: { package_id: "starter" } }),
        );
        const request = signedRequest(event);
        const body = await request.text();
        // each grant arrives at one instance and again (a redelivery) at the other
        for (const server of [servers[i % 2], servers[(i + 1) % 2]]) {
          const response = await fetch(`${server.url}/api/stripe/webhook`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "stripe-signature": request.headers.get("stripe-signature")!,
            },
            body,
          });
          expect(response.status).toBe(200);
        }
      }),
    );
    await expect.poll(() => receiver.received.length, { timeout: 10_000, interval: 200 }).toBe(users.length);
    expect(Date.now() - started).toBeLessThan(12_000);
    await new Promise((resolve) => setTimeout(resolve, 6_000)); // a timer round more on both: nothing twice
    expect(receiver.received).toHaveLength(users.length);
    const ids = receiver.received.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(users.length);
    const granted = receiver.received.map(
      (r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { data: { user_id: string } },
    );
    expect(granted.map((e) => e.data.user_id).sort()).toEqual([...users].sort());
    const { rows } = await client.query<{ n: number }>(
      "select count(*)::int as n from public.webhook_delivery_attempts",
    );
    expect(rows[0].n).toBe(users.length);
  });

  it("uses LOW_BALANCE_THRESHOLD, written at start-up, for a user without their own threshold", async () => {
    const { rows } = await client.query<{ id: string }>(
      "insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id",
      [`${uid("low")}@example.com`],
    );
    const user = rows[0].id;
    await client.query("select public.grant_credits_for_purchase('stripe', $1, $2, null, 100, 1000, 'usd')", [
      uid("cs"),
      user,
    ]);
    const before = receiver.received.length;
    await client.query("select public.spend_credits($1, 50, 'low-1')", [user]);
    await expect
      .poll(() => receiver.received.slice(before).map((r) => JSON.parse(r.body).type), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(["balance.low"]));
    const low = receiver.received
      .slice(before)
      .map((r) => JSON.parse(r.body))
      .find((e) => e.type === "balance.low");
    expect(low.data).toMatchObject({ user_id: user, balance: 50, threshold: 60 });
    const mails = await client.query(
      "select 1 from public.email_outbox where kind = 'low_balance' and to_email like 'low_%'",
    );
    expect(mails.rowCount).toBe(1);
  });
});
