/** The monthly limit typed on /settings/top-up, in the pack currency's minor units. */
import { describe, expect, it } from "vitest";
import { moneyInput, parseMoney } from "@/lib/topups/money";

describe("top-up monthly limit amounts", () => {
  it("reads amounts with at most the currency's digits", () => {
    expect(parseMoney("50", "usd")).toBe(5000);
    expect(parseMoney("49.9", "usd")).toBe(4990);
    expect(parseMoney(" 1,250.00 ", "usd")).toBe(125000);
    expect(parseMoney("500", "jpy")).toBe(500);
    expect(parseMoney("1.234", "kwd")).toBe(1234);
  });

  it("refuses what is not an amount", () => {
    for (const bad of ["", "-5", "5.001", "abc", "1e3", "12.5.0", "0x10"]) expect(parseMoney(bad, "usd")).toBeNull();
    expect(parseMoney("5.5", "jpy")).toBeNull();
  });

  it("shows minor units as the input expects them", () => {
    expect(moneyInput(5000, "usd")).toBe("50.00");
    expect(moneyInput(500, "jpy")).toBe("500");
  });
});
