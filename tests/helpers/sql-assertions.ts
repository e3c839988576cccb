/** Assertions shared by the SQL suites: "raises this error" and "wrote no business row". */
import { expect } from "vitest";
import { DatabaseError } from "@/lib/db/errors";
import type { SqlDatabase } from "@/lib/db/port";

export const BUSINESS_TABLES = ["purchases", "credit_ledger", "pending_credit_grants", "webhook_events"] as const;
export type RowCounts = Record<(typeof BUSINESS_TABLES)[number], number>;

/** Row counts of the tables a payment can write to. */
export async function rowCounts(db: SqlDatabase): Promise<RowCounts> {
  const rows = await db.query<{ name: keyof RowCounts; n: string | number }>(
    BUSINESS_TABLES.map((t) => `select '${t}' as name, count(*) as n from public.${t}`).join(" union all "),
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)])) as RowCounts;
}

/** Awaits a call that must fail with a DatabaseError carrying this SQLSTATE and message; returns the error. */
export async function expectDatabaseError(
  call: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<DatabaseError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected ${code} ${message}, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  expect({ code: (error as DatabaseError).code, message: (error as DatabaseError).message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
  return error as DatabaseError;
}
