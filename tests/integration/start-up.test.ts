/**
 * The production build (`next start`) refuses a bad environment before it says Ready: exit code 1
 * within seconds, one line per problem naming its variable, and /api/health never answers 200
 * meanwhile. With the README's minimum production configuration of each mode it starts and
 * /api/health answers 200 (postgres mode only when DATABASE_URL names a server).
 * Behind RUN_FAULT_TESTS=1 (CI sets it): shares the fault suites' build (.next-fault).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import type { Mode } from "@/lib/env";
import { createServerDatabase, migrateServerDatabase, serverUrl } from "../helpers/databases";
import { minimumProductionConfig } from "../helpers/readme";
import { ensureBuild, freePort, spawnNextStart, startNextServer, type Build } from "../helpers/server";
import { suiteTempDir } from "../helpers/temp-dir";

const enabled = process.env.RUN_FAULT_TESTS === "1";

interface Refused {
  code: number | null;
  ms: number;
  output: string;
  /** Every status /api/health answered while the process was alive. */
  healthStatuses: number[];
}

describe.skipIf(!enabled)("next start with a bad environment, and with each mode's minimum", () => {
  let build: Build;
  const temp = suiteTempDir("credits-start-up-test-");

  beforeAll(async () => {
    build = await ensureBuild({ distDir: ".next-fault" });
  }, 20 * 60_000);

  /** Starts the build with `env`, asking /api/health all along, until the process exits (or 30 s pass). */
  async function startRefused(env: Record<string, string>): Promise<Refused> {
    const port = await freePort(3580, 3589);
    const started = Date.now();
    const server = spawnNextStart({ build, port, env: { APP_DATA_DIR: temp.path, ...env } });
    let code: number | null | undefined;
    void server.exited.then((c) => (code = c));
    const healthStatuses: number[] = [];
    while (code === undefined && Date.now() - started < 30_000) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) });
        healthStatuses.push(res.status);
      } catch {
        // not listening, or gone
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (code === undefined) server.child.kill("SIGKILL");
    await server.exited;
    return { code: code ?? null, ms: Date.now() - started, output: server.output(), healthStatuses };
  }

  it("exits 1 within seconds with DATABASE_URL alone, naming AUTH_SECRET, before saying Ready", async () => {
    const refused = await startRefused({ DATABASE_URL: "postgres://credits@127.0.0.1:1/credits" });
    expect(refused.code, refused.output).toBe(1);
    expect(refused.ms).toBeLessThan(15_000);
    expect(refused.output).toMatch(/^ {2}✗ AUTH_SECRET: required in production in postgres mode/m);
    expect(refused.output).not.toMatch(/Ready/);
    expect(refused.healthStatuses).not.toContain(200);
  });

  it("lists every problem at once, one line each naming its variable", async () => {
    const refused = await startRefused({
      DATABASE_URL: "postgres://credits@127.0.0.1:1/credits",
      CRON_SECRET: "",
      STRIPE_API_BASE: "http://127.0.0.1:12111",
      NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
    });
    expect(refused.code, refused.output).toBe(1);
    const lines = refused.output.split("\n").filter((line) => line.startsWith("  ✗ "));
    expect(lines.map((line) => /^ {2}✗ ([A-Z_]+): /.exec(line)?.[1])).toEqual([
      "NEXT_PUBLIC_SUPABASE_ANON_KEY",
      "SUPABASE_SERVICE_ROLE_KEY",
      "AUTH_SECRET",
      "STRIPE_API_BASE",
      "CRON_SECRET",
    ]);
    expect(refused.output).toMatch(/Configuration: 5 problems; the server does not start\./);
    expect(refused.output).not.toMatch(/Ready/);
    expect(refused.healthStatuses).not.toContain(200);
  });

  /** A stand-in for Supabase's REST API: the one call /api/health makes in supabase mode. */
  async function fakePostgrest(): Promise<{ origin: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
      if (req.method === "POST" && req.url === "/rest/v1/rpc/health_check") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, time: new Date().toISOString(), packages: 3 }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  /** Real values for the variables a README block names. */
  async function valuesFor(names: string[], mode: Mode) {
    const cleanups: Array<() => Promise<void>> = [];
    const values: Record<string, string> = {};
    for (const name of names) {
      if (name === "DATABASE_URL") {
        const database = await createServerDatabase("credits_test_start_up");
        cleanups.push(database.drop);
        await migrateServerDatabase(database.url);
        values[name] = database.url;
      } else if (name === "NEXT_PUBLIC_SUPABASE_URL") {
        const postgrest = await fakePostgrest();
        cleanups.push(postgrest.close);
        values[name] = postgrest.origin;
      } else if (name === "AUTH_SECRET") values[name] = randomBytes(32).toString("base64url");
      else if (name === "STRIPE_SECRET_KEY") values[name] = "sk_test_start_up";
      else if (name === "STRIPE_WEBHOOK_SECRET") values[name] = `whsec_${randomBytes(24).toString("hex")}`;
      else if (name === "NEXT_PUBLIC_SUPABASE_ANON_KEY" || name === "SUPABASE_SERVICE_ROLE_KEY") values[name] = name;
      else throw new Error(`${mode} mode's minimum names ${name}: give this test a value for it`);
    }
    return { values, cleanup: () => Promise.all(cleanups.map((c) => c())) };
  }

  // Postgres mode needs a server (.ci/run has one); the unit test env-docs.test.ts parses its block regardless.
  const modes = (Object.entries(minimumProductionConfig()) as Array<[Mode, string[]]>).filter(
    ([, names]) => serverUrl || !names.includes("DATABASE_URL"),
  );
  it.each(modes)("starts with the README's minimum for %s mode, and /api/health answers 200", async (mode, names) => {
    const { values, cleanup } = await valuesFor(names, mode);
    const modeDir = path.join(temp.path, mode);
    const server = await startNextServer({
      build,
      port: await freePort(3590, 3599),
      env: { APP_DATA_DIR: modeDir, PGLITE_DIR: path.join(modeDir, "pglite"), ...values },
      timeoutMs: 300_000, // embedded: the first request creates and migrates PGlite
    });
    try {
      const res = await fetch(`${server.url}/api/health`);
      expect(res.status, server.output()).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, mode, database: "up" });
      expect(server.output()).not.toMatch(/Configuration: /);
    } finally {
      await server.stop();
      await cleanup();
    }
  });
});
