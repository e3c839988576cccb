/**
 * Alert delivery (lib/ops/alerts.ts): when the last hour's failure rate passes
 * 5 % (the /admin/metrics banner's threshold) one message goes to
 * ALERT_WEBHOOK_URL — a local HTTP receiver here — and one when it clears,
 * however many instances run the sweep at once (two pools on one database on
 * the server target); mails go through the outbox when it exists; a refused
 * message is retried. PGlite, and a Postgres server when DATABASE_URL is set.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { failAction, noneAction } from "@/lib/db/actions";
import { metricsAlerts } from "@/lib/admin/metrics-window";
import type { Database } from "@/lib/db";
import { createPostgresDatabase } from "@/lib/db/postgres";
import { ingestWebhookEvent, webhookMetrics } from "@/lib/db/rpc/webhook-events";
import { alertState, runAlerts } from "@/lib/ops/alerts";
import { targets } from "../helpers/databases";
import { useTestDatabase } from "../helpers/test-database";
import { uid } from "../helpers/stripe";

interface Receiver {
  url: string;
  messages: Array<{ text: string; contentType: string | undefined }>;
  /** Status to answer with (default 200). */
  status: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: "", messages: [], status: 200, close: async () => {} };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (receiver.status === 200)
        receiver.messages.push({
          ...(JSON.parse(body) as { text: string }),
          contentType: request.headers["content-type"],
        });
      response.writeHead(receiver.status).end(receiver.status === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

const APP_URL = "https://credits.example.com";

describe.each(targets)("alert delivery on %s", (target) => {
  const t = useTestDatabase(target);
  /** Two app instances: two pools on one server database (one PGlite is one instance, called twice at once). */
  let instances: [Database, Database];
  let receiver: Receiver;

  beforeAll(async () => {
    instances =
      target === "postgres" ? [t.db, createPostgresDatabase({ connectionString: t.url!, max: 5 })] : [t.db, t.db];
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    if (instances[1] !== t.db) await instances[1].close();
  });
  beforeEach(async () => {
    receiver.messages.length = 0;
    receiver.status = 200;
    await t.db.query("delete from alert_incidents");
    await t.db.query("delete from webhook_events");
  });

  async function events(count: number, outcome: "processed" | "failed") {
    for (let i = 0; i < count; i++) {
      await ingestWebhookEvent(t.db, {
        provider: "stripe",
        eventId: uid("evt"),
        eventType: "checkout.session.completed",
        payload: {},
        action: outcome === "processed" ? noneAction("processed", "recorded") : failAction("unknown package"),
      });
    }
  }
  const sweepOn = (db: Database, options: { webhook?: boolean; emails?: string[] } = {}) =>
    runAlerts(db, {
      webhookUrl: options.webhook === false ? undefined : receiver.url,
      emails: options.emails ?? [],
      appUrl: APP_URL,
    });
  const bothInstances = (options?: Parameters<typeof sweepOn>[1]) =>
    Promise.all(instances.map((db) => sweepOn(db, options)));

  it("sends one message when the failure rate passes 5 % and one when it clears, with two instances sweeping at once", async () => {
    await events(18, "processed");
    await events(2, "failed"); // 10 % of the last hour
    const opened = await bothInstances();
    expect(opened.flatMap((r) => r.opened)).toEqual(["failure-rate"]);
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.messages[0]).toEqual({
      text: expect.stringMatching(
        /^\[credits\] ALERT webhook failure rate: 10(\.0)? % of events failed in the last hour \(2 of 20\); the threshold is 5(\.0)? %\. https:\/\/credits\.example\.com\/admin\/metrics\?window=1h$/,
      ),
      contentType: "application/json",
    });

    // still firing: nothing new, however often the sweep runs
    await bothInstances();
    await bothInstances();
    expect(receiver.messages).toHaveLength(1);

    await events(60, "processed"); // 2 of 80 = 2.5 %
    const cleared = await bothInstances();
    expect(cleared.flatMap((r) => r.cleared)).toEqual(["failure-rate"]);
    expect(receiver.messages).toHaveLength(2);
    expect(receiver.messages[1].text).toMatch(
      /^\[credits\] RESOLVED webhook failure rate: back under the threshold\. 2\.5 % of events failed/,
    );
    await bothInstances();
    expect(receiver.messages).toHaveLength(2);

    const incidents = await t.db.query<{ kind: string; open: boolean }>(
      "select kind, cleared_at is null as open from alert_incidents",
    );
    expect(incidents).toEqual([{ kind: "failure-rate", open: false }]);
  });

  it("a new incident after one cleared is a new message", async () => {
    await events(1, "failed");
    await bothInstances();
    await events(40, "processed");
    await bothInstances();
    await events(5, "failed");
    await bothInstances();
    expect(receiver.messages.map((m) => m.text.split(" ")[1])).toEqual(["ALERT", "RESOLVED", "ALERT"]);
  });

  it("uses the admin banner's thresholds and words", async () => {
    await events(19, "processed");
    await events(1, "failed"); // exactly 5 %: not above the threshold
    const m = await webhookMetrics(t.db, new Date(Date.now() - 3_600_000), 3_600);
    expect(metricsAlerts(m)).toEqual([]);
    expect(alertState(m, APP_URL)["failure-rate"].firing).toBe(false);
    await events(1, "failed");
    const m2 = await webhookMetrics(t.db, new Date(Date.now() - 3_600_000), 3_600);
    const [banner] = metricsAlerts(m2);
    expect(alertState(m2, APP_URL)["failure-rate"]).toEqual({
      firing: true,
      message: expect.stringContaining(banner.message),
    });
  });

  it("retries a message the receiver refused, and sends it once it accepts", async () => {
    await events(1, "failed");
    receiver.status = 500;
    expect(await sweepOn(t.db)).toMatchObject({ opened: ["failure-rate"], sent: 0, sendFailures: 1 });
    const [pending] = await t.db.query<{ sent_at: Date | null; last_error: string; attempts: number }>(
      "select sent_at, last_error, attempts from alert_notifications",
    );
    // the error names the status, never the URL (a Slack webhook URL is a secret)
    expect(pending).toEqual({ sent_at: null, last_error: "Error: alert webhook answered 500", attempts: 1 });
    receiver.status = 200;
    expect(await sweepOn(t.db)).toMatchObject({ sent: 0 }); // backing off
    await t.db.query("update alert_notifications set next_attempt_at = now()");
    expect(await sweepOn(t.db)).toMatchObject({ opened: [], sent: 1 });
    expect(receiver.messages).toHaveLength(1);
    expect(receiver.messages[0].text).toMatch(/ALERT/);
  });

  it("without ALERT_WEBHOOK_URL tracks incidents but queues no message", async () => {
    await events(1, "failed");
    expect(await sweepOn(t.db, { webhook: false })).toMatchObject({ opened: ["failure-rate"], sent: 0 });
    expect(await t.db.query("select id from alert_notifications")).toEqual([]);
    expect(receiver.messages).toEqual([]);
  });

  it("mails each ALERT_EMAILS address once per transition through the outbox, when the outbox exists", async () => {
    const outbox = (await t.db.query<{ t: string | null }>("select to_regclass('public.email_outbox')::text t"))[0].t;
    if (outbox === null) {
      await events(1, "failed");
      await bothInstances({ emails: ["ops@example.com"] }); // no outbox yet: no error, the webhook still works
      expect(receiver.messages).toHaveLength(1);
      await t.db.query("delete from alert_incidents");
      await t.db.query("delete from webhook_events");
      receiver.messages.length = 0;
      // the outbox as SPEC §3 names it (issue 11 creates the real one; this is a no-op then)
      await t.db.query(
        `create table if not exists public.email_outbox (
           id uuid primary key default gen_random_uuid(), to_email text not null, subject text not null,
           body_text text not null, created_at timestamptz not null default now(), sent_at timestamptz)`,
      );
    }
    await t.db.query("delete from email_outbox");
    await events(1, "failed");
    await bothInstances({ emails: ["ops@example.com", "Oncall@Example.com", "ops@example.com"] });
    await bothInstances({ emails: ["ops@example.com", "oncall@example.com"] });
    await events(50, "processed");
    await bothInstances({ emails: ["ops@example.com", "oncall@example.com"] });
    const mails = await t.db.query<{ to_email: string; subject: string }>(
      "select to_email, subject from email_outbox order by subject, to_email",
    );
    expect(mails.map((m) => `${m.to_email} ${m.subject.split(" ")[0]}`)).toEqual([
      "oncall@example.com [alert]",
      "ops@example.com [alert]",
      "oncall@example.com [resolved]",
      "ops@example.com [resolved]",
    ]);
    expect(receiver.messages).toHaveLength(2);
  });
});
