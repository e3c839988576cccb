/**
 * The /admin/metrics alert banners (SPEC §6): a failure rate above 5 % or a p95
 * processing time above 5 s over the last hour, from the real webhook_metrics
 * SQL, rendered by the real page (server component, rendered to HTML here).
 * At the threshold exactly there is no banner; just above, there is.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { failAction, noneAction } from "@/lib/db/actions";
import type { Session } from "@/lib/auth";

vi.mock("@/lib/auth", () => ({
  requireAdmin: async (): Promise<Session> => ({
    userId: "00000000-0000-4000-8000-000000000001",
    email: "admin@example.com",
    isAdmin: true,
    emailConfirmed: true,
  }),
}));

import MetricsPage from "@/app/admin/metrics/page";
import { setDb } from "@/lib/db";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";

describe("metrics alert banners", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    setDb(t.db);
  });
  afterAll(async () => {
    setDb(undefined);
    await t?.drop();
  });

  let n = 0;
  const processed = () =>
    ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId: `evt_ok_${n++}`,
      eventType: "checkout.session.completed",
      payload: {},
      action: noneAction("processed", "recorded"),
    });
  const failed = () =>
    ingestWebhookEvent(t.db, {
      provider: "stripe",
      eventId: `evt_failed_${n++}`,
      eventType: "checkout.session.completed",
      payload: {},
      action: failAction("unknown package: no_such_pack"),
    });
  const durations = (ms: number) => t.db.query("update webhook_events set duration_ms = $1", [ms]);
  const page = async () => renderToStaticMarkup(await MetricsPage({ searchParams: Promise.resolve({ window: "1h" }) }));

  it("shows no banner at a 5 % failure rate and a 5 s p95 exactly", async () => {
    for (let i = 0; i < 19; i++) await processed();
    await failed(); // 1 of 20 = 5 %
    await durations(5_000);
    const html = await page();
    expect(html).toContain("Webhook health");
    expect(html).not.toContain("High failure rate");
    expect(html).not.toContain("Slow processing");
  });

  it("shows the slow-processing banner once p95 passes 5 s", async () => {
    await durations(5_001);
    const html = await page();
    expect(html).toContain("Slow processing");
    expect(html).toMatch(/p95 processing time was 5\.0\d* ?s in the last hour; the threshold is 5(\.0+)? ?s/);
    expect(html).not.toContain("High failure rate");
  });

  it("shows the failure-rate banner once failures pass 5 %", async () => {
    await durations(100);
    await failed(); // 2 of 21 = 9.5 %
    const html = await page();
    expect(html).toContain("High failure rate");
    expect(html).toContain("(2 of 21)");
    expect(html).not.toContain("Slow processing");
  });
});
