/**
 * The setup every suite that calls real route handlers or server actions
 * shares: environment (provider secrets, AUTH_SECRET), a migrated test
 * database that getDb() returns (so the handlers use it), and the row counts
 * that prove a rejected request wrote nothing.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { setDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { openTestDatabase, type TargetName, type TestDatabase } from "./databases";

export interface EventRow {
  status: string;
  outcome: string | null;
  last_error: string | null;
  attempts: number;
  event_type: string;
}

export interface RouteSuite {
  readonly db: TestDatabase["db"];
  eventRow(provider: string, eventId: string): Promise<EventRow | undefined>;
  count(tableAndFilter: string): Promise<number>;
  businessRows(): Promise<{ purchases: number; ledger: number; pending: number; events: number }>;
}

/**
 * Registers the hooks; call it inside a describe (usually describe.each(targets)). `env` is read in
 * beforeAll, after any beforeAll registered earlier (e.g. one that starts a
 * local key server whose URL goes into the environment).
 */
export function useRouteSuite(target: TargetName, env: () => Record<string, string>): RouteSuite {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    Object.assign(process.env, { AUTH_SECRET: "x".repeat(40), ...env() });
    resetEnvCache();
    t = await openTestDatabase(target, { poolMax: 20 });
    setDb(t.db);
  });
  afterAll(async () => {
    setDb(undefined);
    await t?.drop();
  });
  beforeEach(() => setDb(t!.db));

  const count = async (tableAndFilter: string) =>
    Number((await t!.db.query<{ n: string }>(`select count(*) n from ${tableAndFilter}`))[0].n);
  return {
    get db() {
      return t!.db;
    },
    async eventRow(provider, eventId) {
      return (
        await t!.db.query<EventRow>(
          "select status, outcome, last_error, attempts, event_type from webhook_events where provider = $1 and event_id = $2",
          [provider, eventId],
        )
      )[0];
    },
    count,
    async businessRows() {
      return {
        purchases: await count("purchases"),
        ledger: await count("credit_ledger"),
        pending: await count("pending_credit_grants"),
        events: await count("webhook_events"),
      };
    },
  };
}
