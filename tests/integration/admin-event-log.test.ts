/** The admin event log's URL parsing and keyset paging, on the real list_webhook_events (PGlite, and a server when DATABASE_URL is set). */
import { beforeAll, describe, expect, it } from "vitest";
import { noneAction } from "@/lib/db/actions";
import { loadEventPage } from "@/lib/admin/event-log";
import { PAGE_SIZE, decodeCursor, encodeCursor, eventsHref, parseEventSearch } from "@/lib/admin/event-search";
import { ingestWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { type ProviderName } from "@/lib/providers/names";
import { targets } from "../helpers/databases";
import { useTestDatabase } from "../helpers/test-database";

describe("parseEventSearch", () => {
  it("keeps valid filters and reports invalid ones without dropping the rest", () => {
    const search = parseEventSearch({
      provider: "stripe",
      status: "bogus",
      type: "charge.refunded",
      q: " Buyer@Example.com ",
      from: "2026-02-30x",
    });
    expect(search.values).toEqual({ provider: "stripe", type: "charge.refunded", q: "Buyer@Example.com" });
    expect(search.problems).toEqual(["Status: unknown status", "From: use a date like 2026-01-31"]);
  });

  it("treats To as a whole day and refuses a range that ends before it starts", () => {
    const day = parseEventSearch({ from: "2026-03-01", to: "2026-03-01" });
    expect(day.filter.from?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(day.filter.to?.toISOString()).toBe("2026-03-02T00:00:00.000Z");
    const backwards = parseEventSearch({ from: "2026-03-02", to: "2026-03-01" });
    expect(backwards.filter.to).toBeUndefined();
    expect(backwards.problems).toEqual(["From must be on or before To"]);
  });

  it("round-trips a cursor and ignores a tampered one", () => {
    const row = { received_at: new Date("2026-03-01T10:00:00.123Z"), id: "6f1c1e5e-8a9b-4c1d-9e2f-0a1b2c3d4e5f" };
    expect(decodeCursor(encodeCursor(row))).toEqual({ receivedAt: row.received_at, id: row.id });
    const tampered = parseEventSearch({ cursor: "not-a-cursor" });
    expect(tampered.cursor).toBeUndefined();
    expect(tampered.problems).toHaveLength(1);
  });

  it("builds links that keep the filters", () => {
    expect(eventsHref({ provider: "stripe", q: "a@b.c" }, "abc")).toBe(
      "/admin/events?provider=stripe&q=a%40b.c&cursor=abc",
    );
    expect(eventsHref({})).toBe("/admin/events");
  });
});

describe.each(targets)("loadEventPage on %s", (target) => {
  const t = useTestDatabase(target);
  const TOTAL = PAGE_SIZE + 7;

  beforeAll(async () => {
    for (let i = 0; i < TOTAL; i++) {
      const provider: ProviderName = i % 3 === 0 ? "paystack" : "stripe";
      await ingestWebhookEvent(t.db, {
        provider,
        eventId: `evt_log_${i}`,
        eventType: i % 2 === 0 ? "checkout.session.completed" : "charge.refunded",
        payload: { i },
        action: noneAction("processed", "recorded"),
        email: `buyer${i % 4}@example.com`,
        externalId: `pi_log_${i}`,
      });
    }
  });

  it("pages through every event exactly once, newest first", async () => {
    const rows: { event_id: string; received_at: Date; id: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await loadEventPage(t.db, parseEventSearch(cursor ? { cursor } : {}));
      rows.push(...page.events);
      cursor = page.olderCursor;
      pages++;
    } while (cursor && pages < 10);
    const seen = rows.map((r) => r.event_id);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    // Newest first across both pages: (received_at, id) strictly descending. Events
    // ingested in the same millisecond are ordered by id, so the last one ingested
    // is first only among those sharing the newest millisecond.
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      const newer = a.received_at.getTime() - b.received_at.getTime() || (a.id > b.id ? 1 : -1);
      expect(newer, `${a.event_id} before ${b.event_id}`).toBeGreaterThan(0);
    }
    const newest = rows[0].received_at.getTime();
    const last = rows.find((r) => r.event_id === `evt_log_${TOTAL - 1}`)!;
    expect(last.received_at.getTime()).toBe(newest);
  });

  it("finds events by e-mail, event id or external id, combined with other filters", async () => {
    const byEmail = await loadEventPage(t.db, parseEventSearch({ q: "BUYER1@example.com", provider: "stripe" }));
    expect(byEmail.events.length).toBeGreaterThan(0);
    expect(byEmail.events.every((e) => e.email === "buyer1@example.com" && e.provider === "stripe")).toBe(true);
    expect((await loadEventPage(t.db, parseEventSearch({ q: "evt_log_3" }))).events.map((e) => e.event_id)).toEqual([
      "evt_log_3",
    ]);
    expect((await loadEventPage(t.db, parseEventSearch({ q: "pi_log_4" }))).events.map((e) => e.event_id)).toEqual([
      "evt_log_4",
    ]);
    const refunds = await loadEventPage(t.db, parseEventSearch({ type: "charge.refunded", status: "processed" }));
    expect(refunds.events.length).toBeGreaterThan(0);
    expect(refunds.events.every((e) => e.event_type === "charge.refunded")).toBe(true);
    expect((await loadEventPage(t.db, parseEventSearch({ to: "2000-01-01" }))).events).toEqual([]);
  });
});
