/**
 * Credits that run out of time: the sweep's step (every minute) and the start-up write of
 * CREDIT_PACK_EXPIRY_DAYS. Reads and writes never count an expired hold or lot even before this runs
 * (supabase/schemas/055_holds.sql); the sweep writes them down for wallets nobody touches: expired holds
 * marked `expired`, expired lots written off as ledger rows of kind `expire`.
 */
import { getDb, type Database } from "@/lib/db";
import { setCreditPackExpiryDays } from "@/lib/db/rpc/credits";
import { expireCreditHolds, expireCreditLots } from "@/lib/db/rpc/holds";
import { getEnv } from "@/lib/env";

export interface CreditExpiryResult {
  holdsExpired: number;
  lotsExpired: number;
}

/** The pack expiry the database applies to new purchases, then expired holds, then expired lots. */
export async function runCreditExpiry(db: Database, packExpiryDays: number | undefined): Promise<CreditExpiryResult> {
  await setCreditPackExpiryDays(db, packExpiryDays ?? null);
  const holdsExpired = await expireCreditHolds(db);
  const lotsExpired = await expireCreditLots(db);
  return { holdsExpired, lotsExpired };
}

/**
 * Start-up (instrumentation-node.ts): tell the database CREDIT_PACK_EXPIRY_DAYS before the first
 * purchase, without holding the server up; a database not ready yet gets it from the first sweep.
 */
export async function writeCreditSettingsAtStart(db: Database = getDb()): Promise<void> {
  try {
    await setCreditPackExpiryDays(db, getEnv().CREDIT_PACK_EXPIRY_DAYS ?? null);
  } catch (error) {
    console.warn(
      `[credits] CREDIT_PACK_EXPIRY_DAYS could not be written at start (${(error as Error).name}); the sweep writes it`,
    );
  }
}
