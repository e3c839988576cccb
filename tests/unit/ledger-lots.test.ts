import { describe, expect, it } from "vitest";
import { describeLots } from "@/lib/account/ledger-lots";
import type { LedgerEntry, LotMovement } from "@/lib/db/rpc/credits";

const LOT = "7727e82d-c216-42f3-b1f8-26346a47f7f6";
const OTHER = "e5a03424-84cc-49fa-8ffb-8c2c19b531f9";
const DEC_20 = new Date("2026-12-20T23:59:59Z");

function entry(kind: LedgerEntry["kind"], delta: number, lots: LotMovement[]): LedgerEntry {
  return {
    id: "3f0f3c2e-9a51-4d8c-a2f6-1d6c0f6a3b11",
    delta,
    kind,
    reference: "r",
    purchase_id: null,
    package_name: null,
    provider: null,
    reason: null,
    admin_email: null,
    created_at: new Date("2026-12-06T12:00:00Z"),
    cursor_at: "",
    lots,
  };
}

const promo = (amount: number, lotId = LOT): LotMovement => ({
  lot_id: lotId,
  amount,
  category: "promotional",
  expires_at: DEC_20,
});
const paid = (amount: number): LotMovement => ({ lot_id: OTHER, amount, category: "paid", expires_at: null });
const debt = (amount: number): LotMovement => ({ lot_id: null, amount, category: null, expires_at: null });

describe("the ledger says which lots a row touched", () => {
  it("names the one lot a spend or capture took from, with its expiry", () => {
    expect(describeLots(entry("capture", -65, [promo(-65)]))).toBe("From promotional credits (expiring Dec 20, 2026)");
    expect(describeLots(entry("spend", -5, [paid(-5)]))).toBe("From paid credits");
  });

  it("gives amounts when a debit took from several lots, in the order taken", () => {
    expect(describeLots(entry("spend", -130, [promo(-30), paid(-100)]))).toBe(
      "From 30 promotional credits (expiring Dec 20, 2026) + 100 paid credits",
    );
  });

  it("says when a reversal took more than the lots held, and the rest became owed", () => {
    expect(describeLots(entry("refund", -100, [paid(-40), debt(-60)]))).toBe(
      "From 40 paid credits · 60 added to what is owed",
    );
  });

  it("names an expiring or promotional grant's lot, and not a plain paid one", () => {
    expect(describeLots(entry("adjustment", 50, [promo(50)]))).toBe("Promotional credits (expiring Dec 20, 2026)");
    expect(describeLots(entry("purchase", 100, [paid(100)]))).toBeNull();
  });

  it("says when a grant first settled what was owed", () => {
    expect(describeLots(entry("purchase", 100, [debt(60), paid(40)]))).toBe("60 settled what was owed");
  });

  it("names the lot an expiry wrote off", () => {
    expect(describeLots(entry("expire", -185, [promo(-185)]))).toBe("Promotional credits (expired Dec 20, 2026)");
  });

  it("says nothing for rows from before lots", () => {
    expect(describeLots(entry("spend", -5, []))).toBeNull();
  });
});
