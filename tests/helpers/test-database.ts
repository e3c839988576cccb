/**
 * One migrated test database per `describe` block: opened before its tests, dropped after them.
 * The SQL suites all need exactly this, so they say it in one line instead of two hooks each.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { grantCreditsForPurchase, type GrantArgs, type GrantResult } from "@/lib/db/rpc/credits";
import type { Database } from "@/lib/db/port";
import { openTestDatabase, walletsOffLedger, type TargetName, type TestDatabase } from "./databases";

/** A short random tag, for e-mails and external ids that must not collide between tests. */
export const unique = (): string => randomUUID().slice(0, 8);

export interface UseTestDatabaseOptions {
  /** Pool size on the server target (concurrency tests want more than the default 10). */
  poolMax?: number;
  /** After the block, every wallet must still equal the sum of its ledger. */
  checkLedger?: boolean;
}

/**
 * Registers the hooks and returns a handle whose `db` is the open database. Reading `db`
 * outside a test (before `beforeAll` ran) throws, rather than handing out `undefined`.
 */
export function useTestDatabase(target: TargetName, options: UseTestDatabaseOptions = {}): TestDatabase {
  let opened: TestDatabase | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(target, { poolMax: options.poolMax });
  });
  afterAll(async () => {
    if (!opened) return;
    try {
      if (options.checkLedger) expect(await walletsOffLedger(opened.db)).toEqual([]);
    } finally {
      await opened.drop();
    }
  });
  const open = (): TestDatabase => {
    if (!opened) throw new Error("the test database is opened in beforeAll; use it inside a test or hook");
    return opened;
  };
  return {
    target,
    get db() {
      return open().db;
    },
    get url() {
      return open().url;
    },
    drop: () => open().drop(),
  };
}

/** A Stripe purchase of 100 credits for $10.00: the grant most SQL tests start from. */
export function grantStripePurchase(
  db: Database,
  args: Partial<GrantArgs> & { externalId: string },
): Promise<GrantResult> {
  return grantCreditsForPurchase(db, { provider: "stripe", credits: 100, amountMinor: 1000, currency: "usd", ...args });
}
