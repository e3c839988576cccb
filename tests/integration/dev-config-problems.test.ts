/**
 * `npm run dev` with a bad environment keeps running and shows the problems instead of the app:
 * the log lists them before Ready, every page answers 503 with each variable and what to do,
 * and /api/health answers 503 naming the variables (never 200).
 * Behind RUN_FAULT_TESTS=1 (a cold dev compile), which CI sets.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devSnapshot, freePort, startNextDev, type DevServer } from "../helpers/server";
import { makeTempDir } from "../helpers/temp-dir";

const enabled = process.env.RUN_FAULT_TESTS === "1";

/** GET, waiting while the dev server is not listening yet or still compiling. */
async function get(url: string): Promise<Response> {
  const deadline = Date.now() + 8 * 60_000;
  for (;;) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(5 * 60_000) });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe.skipIf(!enabled)("npm run dev with a bad environment", () => {
  let root: string | undefined;
  let server: DevServer;

  beforeAll(() => {
    root = makeTempDir("credits-dev-config-test-");
    devSnapshot(root);
  });
  afterAll(() => {
    server?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it(
    "keeps running, lists every problem on every page and in the log, and /api/health answers 503",
    async () => {
      server = startNextDev(root!, await freePort(), {
        AUTH_SECRET: "too short",
        NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
        WEBHOOK_RETRY_INTERVAL_MS: "0",
      });
      const health = await get(`${server.url}/api/health`);
      expect(health.status, server.output().slice(-4000)).toBe(503);
      expect(await health.json()).toEqual({
        ok: false,
        configuration: ["NEXT_PUBLIC_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "AUTH_SECRET"],
      });

      for (const page of ["/", "/wallet", "/login"]) {
        const res = await get(`${server.url}${page}`);
        expect(res.status, page).toBe(503);
        const html = await res.text();
        expect(html).toContain("The environment has 3 problems");
        expect(html).toMatch(/<code>AUTH_SECRET<\/code>: must be at least 32 characters; make one with: openssl rand/);
        expect(html).toMatch(/<code>SUPABASE_SERVICE_ROLE_KEY<\/code>: required with NEXT_PUBLIC_SUPABASE_URL/);
      }
      const log = server.output();
      expect(log).toMatch(/Configuration: 3 problems; every page shows them/);
      expect(log.indexOf("✗ AUTH_SECRET")).toBeLessThan(log.indexOf("Ready"));
      expect(server.exitCode()).toBeUndefined();
    },
    15 * 60_000,
  );
});
