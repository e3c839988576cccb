import { describe, expect, it } from "vitest";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { useTestDatabase } from "../helpers/test-database";

describe.each(targets)("database on %s", (target) => {
  const t = useTestDatabase(target);

  it("grants a purchase once and reports the duplicate", async () => {
    const user = await createUser(t.db, "smoke@example.com");
    const purchase = {
      provider: "stripe",
      externalId: "pi_smoke",
      userId: user,
      credits: 100,
      amountMinor: 500,
      currency: "usd",
    } as const;
    const first = await grantCreditsForPurchase(t.db, purchase);
    const second = await grantCreditsForPurchase(t.db, purchase);
    expect(first.outcome).toBe("granted");
    expect(second.outcome).toBe("duplicate");
    expect(await balanceOf(t.db, user)).toBe(100);
  });
});
