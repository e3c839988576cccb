/**
 * /wallet/activity's data: the ledger filtered by kind and paged without
 * skipping or repeating a row, and the CSV export (signed-in only, the
 * session's own rows, spreadsheet formulas defused), on a real database.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Session } from "@/lib/auth";

const mocked = vi.hoisted(() => ({ session: null as Session | null }));
vi.mock("@/lib/auth", () => ({ getSessionFromRequest: async () => mocked.session }));

import { GET as activityCsvGET } from "@/app/(account)/wallet/activity.csv/route";
import { csvCell, LEDGER_FILTERS, LEDGER_KINDS, listActivity, type LedgerFilter } from "@/lib/account/ledger-activity";
import { adjustCredits, grantCreditsForPurchase, type Cursor } from "@/lib/db/rpc/credits";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { spendCredits } from "../helpers/credit-rpc";
import { createUser } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { confirmedSession } from "../helpers/sessions";
import { uid } from "../helpers/stripe";

describe("account activity", () => {
  const t = useRouteSuite("pglite", () => ({}));
  let user = "";
  let other = "";

  beforeAll(async () => {
    const adminEmail = `admin-${uid("a")}@example.com`;
    const admin = await createUser(t.db, adminEmail);
    await syncAdminEmails(t.db, [adminEmail]);
    user = await createUser(t.db, `activity-${uid("u")}@example.com`);
    other = await createUser(t.db, `other-${uid("u")}@example.com`);
    // 12 purchases, each followed by 3 spends, with an adjustment every 4th purchase: 51 rows, newest last
    for (let i = 0; i < 12; i++) {
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: uid("cs"),
        userId: user,
        credits: 100,
        amountMinor: 500,
        currency: "usd",
      });
      for (let j = 0; j < 3; j++) await spendCredits(t.db, user, 1, uid("spend"));
      if (i % 4 === 0)
        await adjustCredits(t.db, { userId: user, delta: 5, reason: `=HYPERLINK("x") ${i}`, adminId: admin });
    }
    await grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: uid("cs"),
      userId: other,
      credits: 100,
      amountMinor: 500,
      currency: "usd",
    });
  });

  async function allPages(filter: LedgerFilter | undefined, limit: number) {
    const ids: string[] = [];
    const kinds = new Set<string>();
    let before: Cursor | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await listActivity(t.db, user, { before, filter, limit });
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      for (const row of page.rows) {
        ids.push(row.id);
        kinds.add(row.kind);
      }
      if (!page.next) return { ids, kinds, pages: pages + 1 };
      before = page.next;
    }
    throw new Error("never ended");
  }

  it("every kind has a label and exactly one filter, and each filter lists its kinds", () => {
    for (const info of Object.values(LEDGER_KINDS)) expect(LEDGER_FILTERS.map((f) => f.id)).toContain(info.filter);
    expect(LEDGER_FILTERS.flatMap((f) => f.kinds).sort()).toEqual(Object.keys(LEDGER_KINDS).sort());
  });

  it.each([
    [undefined, 51, ["adjustment", "purchase", "spend"]],
    ["purchases", 12, ["purchase"]],
    ["spends", 36, ["spend"]],
    ["adjustments", 3, ["adjustment"]],
    ["reversals", 0, []],
  ] as const)("pages through filter %s: %i rows, none twice, only its kinds", async (filter, total, kinds) => {
    for (const limit of [5, 7, 20]) {
      const { ids, kinds: seen, pages } = await allPages(filter, limit);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
      expect([...seen].sort()).toEqual([...kinds]);
      expect(pages).toBe(Math.max(1, Math.ceil(total / limit)));
    }
  });

  it("the CSV needs a session", async () => {
    mocked.session = null;
    const response = await activityCsvGET(new Request("http://localhost/wallet/activity.csv"));
    expect(response.status).toBe(401);
  });

  it("exports the session's own rows as CSV, newest first, filtered, with formulas defused", async () => {
    mocked.session = confirmedSession(user, "activity@example.com");
    const response = await activityCsvGET(new Request("http://localhost/wallet/activity.csv"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="credits-activity-all-/);
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("date_utc,kind,what,package,reason,credits,reference");
    expect(lines).toHaveLength(52);
    expect(lines.slice(1).map((l) => l.split(",")[1])).toContain("adjustment");
    const dates = lines.slice(1).map((l) => l.split(",")[0]);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(lines.find((l) => l.includes("HYPERLINK"))).toContain(`"'=HYPERLINK(""x"") 8"`);

    const spends = await activityCsvGET(new Request("http://localhost/wallet/activity.csv?kind=spends"));
    const spendLines = (await spends.text()).trimEnd().split("\r\n").slice(1);
    expect(spendLines).toHaveLength(36);
    expect(spendLines.every((l) => l.split(",")[1] === "spend" && l.split(",")[5] === "-1")).toBe(true);

    mocked.session = confirmedSession(other, "other@example.com");
    const theirs = (await (await activityCsvGET(new Request("http://localhost/wallet/activity.csv"))).text())
      .trimEnd()
      .split("\r\n");
    expect(theirs).toHaveLength(2);
  });

  it("quotes cells with commas, quotes and line breaks, and prefixes formula starts", () => {
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
  });
});
