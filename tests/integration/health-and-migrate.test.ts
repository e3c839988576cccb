/**
 * GET /api/health answers 200 while the database answers and 503 when it does
 * not (no connection detail in the body), and `npm run db:migrate` run twice
 * at once on one fresh server database applies every migration exactly once
 * (the advisory lock in lib/db/migrate.ts) — the second run waits, then finds
 * nothing to do. The migrate half needs DATABASE_URL.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/health/route";
import { setDb } from "@/lib/db";
import { createPostgresDatabase } from "@/lib/db/postgres";
import { getEnv, resetEnvCache } from "@/lib/env";
import { createServerDatabase, openTestDatabase, serverUrl, type TestDatabase } from "../helpers/databases";
import { ROOT } from "../helpers/server";

describe("GET /api/health", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    resetEnvCache();
    t = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    setDb(undefined);
    await t?.drop();
  });

  it("answers 200 with the mode while the database answers", async () => {
    setDb(t.db);
    const response = await GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, mode: getEnv().mode, database: "up" });
  });

  it("answers 503 when the database is unreachable, naming nothing about the connection", async () => {
    const unreachable = createPostgresDatabase({
      connectionString: "postgres://app:hunter2-db-password@127.0.0.1:9/credits",
      max: 1,
    });
    setDb(unreachable);
    try {
      const response = await GET();
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ ok: false, mode: getEnv().mode, database: "down" });
      expect(text).not.toMatch(/hunter2|127\.0\.0\.1|ECONNREFUSED/);
    } finally {
      await unreachable.close();
    }
  });
});

const run = promisify(execFile);
/** lib/db/migrate.ts LOCK_KEY: pg_advisory_lock(bigint) with a small key keeps it in objid. */
const MIGRATIONS_LOCK = 727_001;
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

describe.skipIf(!serverUrl)("npm run db:migrate, twice at once", () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  afterAll(() => database?.drop());

  it("applies every migration once; both runs wait for the lock, the second then applies nothing", async () => {
    database = await createServerDatabase("credits_test_migrate");
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test" as const,
      DATABASE_URL: database.url,
    };
    // Hold the migrations' advisory lock until both runs are queued on it, so they really start together.
    const holder = createPostgresDatabase({ connectionString: database.url, max: 1 });
    const waiting = () =>
      holder.query<{ n: string }>(
        "select count(*)::text n from pg_locks where locktype = 'advisory' and objid = $1 and not granted",
        [MIGRATIONS_LOCK],
      );
    let runs: Array<{ stdout: string }>;
    try {
      await holder.query("select pg_advisory_lock($1)", [MIGRATIONS_LOCK]);
      const pending = Promise.all([1, 2].map(() => run(TSX, ["scripts/migrate.ts"], { cwd: ROOT, env })));
      pending.catch(() => undefined);
      let queued = 0;
      for (let i = 0; i < 600 && queued < 2; i++) {
        queued = Number((await waiting())[0].n);
        if (queued < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(queued, "both runs queue on the migrations lock").toBe(2);
      await holder.query("select pg_advisory_unlock($1)", [MIGRATIONS_LOCK]);
      runs = await pending;
    } finally {
      await holder.close();
    }
    const files = fs.readdirSync(path.join(ROOT, "supabase/migrations")).filter((f) => f.endsWith(".sql")); // bootstrap is idempotent, not recorded
    const appliedBy = runs.map((r) => r.stdout.split("\n").filter((line) => line.startsWith("applied ")).length);
    expect(appliedBy.sort((a, b) => a - b)).toEqual([0, files.length]);
    expect(runs.map((r) => r.stdout).join("\n")).toContain("database is up to date");

    const check = createPostgresDatabase({ connectionString: database.url, max: 1 });
    try {
      const recorded = await check.query<{ name: string; n: string }>(
        "select name, count(*)::text n from app_meta.schema_migrations group by name",
      );
      expect(recorded).toHaveLength(files.length);
      expect(recorded.every((r) => r.n === "1")).toBe(true);
      // and the result works: a sign-up creates its wallet
      const [user] = await check.query<{ id: string }>(
        "insert into auth.users (email) values ('migrated@example.com') returning id",
      );
      expect(await check.query("select balance::text from public.wallets where user_id = $1", [user.id])).toEqual([
        { balance: "0" },
      ]);
    } finally {
      await check.close();
    }
  }, 120_000);
});
