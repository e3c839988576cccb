/**
 * plpgsql_check over every plpgsql function of the migrated database (trigger
 * functions with their table): no errors, and no warning that is not allowed,
 * with its reason, next to its function in the schema file. Needs a Postgres
 * server with the extension (DATABASE_URL; .ci/run installs
 * postgresql-15-plpgsql-check); PGlite cannot load it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlDatabase } from "@/lib/db/port";
import {
  applyAllowances,
  describeFindings,
  installPlpgsqlCheck,
  plpgsqlCheck,
  readAllowances,
} from "@/scripts/db/plpgsql-check";
import { openTestDatabase, serverUrl, type TestDatabase } from "../helpers/databases";

describe.runIf(serverUrl)("plpgsql_check over the migrated database", () => {
  let t: TestDatabase;
  let db: SqlDatabase;
  beforeAll(async () => {
    t = await openTestDatabase("postgres");
    db = t.db;
    await installPlpgsqlCheck((sql, params) => db.query(sql, params));
  });
  afterAll(async () => t?.drop());

  it("finds no error and no warning beyond the ones allowed beside their function", async () => {
    const findings = await plpgsqlCheck((sql, params) => db.query(sql, params));
    const { findings: left, unused } = applyAllowances(findings, readAllowances());
    expect(describeFindings(left)).toBe("");
    expect(unused, "an allowance that no longer matches anything: remove it").toEqual([]);
  });

  it("checks every plpgsql function, trigger functions with their table", async () => {
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_proc p join pg_namespace s on s.oid = p.pronamespace
        where s.nspname in ('public', 'private') and p.prolang = (select oid from pg_language where lanname = 'plpgsql')`,
    );
    expect(n).toBeGreaterThan(50);
    await db.exec(`create function public.plpgsql_check_probe() returns trigger language plpgsql as $$
      begin
        update public.wallets set balanse = 0 where user_id = new.user_id;
        return new;
      end $$;
      create trigger plpgsql_check_probe after insert on public.credit_ledger
        for each row execute function public.plpgsql_check_probe()`);
    try {
      const findings = await plpgsqlCheck((sql, params) => db.query(sql, params));
      expect(describeFindings(findings.filter((f) => f.function.startsWith("plpgsql_check_probe")))).toMatch(
        /^plpgsql_check_probe\(\) \(trigger on credit_ledger\) line 3: error: column "balanse" of relation "wallets" does not exist/,
      );
    } finally {
      await db.exec(
        "drop trigger plpgsql_check_probe on public.credit_ledger; drop function public.plpgsql_check_probe()",
      );
    }
  });
});
