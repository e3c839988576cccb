import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/metrics/route";
import { setDb } from "@/lib/db";
import { failAction, noneAction, type WebhookAction } from "@/lib/db/actions";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { resetEnvCache } from "@/lib/env";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";

const TOKEN = "metrics-token-for-tests-0123456789";

function scrape(authorization?: string): Promise<Response> {
  const headers = authorization ? { authorization } : undefined;
  return GET(new Request("http://localhost/api/metrics", { headers }));
}

describe("GET /api/metrics", () => {
  let t: TestDatabase;
  const previousToken = process.env.METRICS_TOKEN;

  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    setDb(t.db);
    process.env.METRICS_TOKEN = TOKEN;
    resetEnvCache();
    const seed = (eventId: string, action: WebhookAction, provider: "stripe" | "paystack" = "stripe") =>
      ingestWebhookEvent(t.db, {
        provider,
        eventId,
        eventType: "checkout.session.completed",
        payload: { id: eventId },
        action,
      });
    await seed("evt_ok", noneAction("processed", "recorded"));
    await seed("evt_ignored", noneAction("ignored", "ignored: unpaid"));
    await seed("evt_paystack", noneAction("processed", "recorded"), "paystack");
    await seed("evt_failed", failAction("unknown package: no_such_pack"));
  });

  afterAll(async () => {
    setDb(undefined);
    if (previousToken === undefined) delete process.env.METRICS_TOKEN;
    else process.env.METRICS_TOKEN = previousToken;
    resetEnvCache();
    await t?.drop();
  });

  it("answers 401 without a token", async () => {
    const response = await scrape();
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain("webhook_");
  });

  it("answers 401 with a wrong token", async () => {
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape("Bearer ")).status).toBe(401);
    expect((await scrape(TOKEN)).status).toBe(401);
  });

  it("serves Prometheus text with the webhook gauges and process metrics for the right token", async () => {
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await response.text();
    expect(body).toContain('webhook_events_last_24h{status="processed"} 2');
    expect(body).toContain('webhook_events_last_24h{status="ignored"} 1');
    expect(body).toContain('webhook_events_last_24h{status="failed"} 1');
    expect(body).toContain('webhook_events_by_provider_last_24h{provider="stripe"} 3');
    expect(body).toContain('webhook_events_by_provider_last_24h{provider="paystack"} 1');
    expect(body).toContain("webhook_failure_ratio_last_hour 0.25");
    expect(body).toMatch(/webhook_processing_seconds_last_24h\{quantile="0.95"\} \d/);
    expect(body).toContain("webhook_event_retries_last_24h 0");
    expect(body).toContain("# TYPE process_cpu_seconds_total counter");
  });

  it("serves a second scrape too (the default metrics are registered once per process)", async () => {
    expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(200);
  });

  it("answers 404 when METRICS_TOKEN is not configured", async () => {
    delete process.env.METRICS_TOKEN;
    resetEnvCache();
    try {
      expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      process.env.METRICS_TOKEN = TOKEN;
      resetEnvCache();
    }
  });
});
