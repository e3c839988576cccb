/**
 * The newcomer's first run: `next dev` on a cold copy of the project (no .next,
 * no .data), `/` as the very first request, and the server still answering a
 * minute later. Before the fix, the first render opened PGlite and React's dev
 * renderer wrote PGlite's WASM heap into the RSC stream: 500 on Node 22+, out
 * of memory on Node 20 (docs/performance.md#dev-cold-start).
 *
 * Slow (a cold compile, then a minute's wait): behind RUN_FAULT_TESTS=1, which CI sets.
 * The retry timer is off so that nothing but the page can open the database first.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devSnapshot, freePort, startNextDev, type DevServer } from "../helpers/server";
import { makeTempDir } from "../helpers/temp-dir";

const enabled = process.env.RUN_FAULT_TESTS === "1";
const CRASH_SIGNS = /ArrayBuffer is not detachable|heap out of memory|FATAL ERROR|Allocation failed/;

async function get(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, body: await res.text() };
    } catch (error) {
      // Not listening yet: no request reached the server, so the next try is still the first.
      if (
        Date.now() > deadline ||
        !String((error as Error & { cause?: Error }).cause?.message).includes("ECONNREFUSED")
      ) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe.skipIf(!enabled)("npm run dev on a cold copy of the project", () => {
  let root: string | undefined;
  let server: DevServer | undefined;
  afterAll(() => {
    server?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it(
    "serves / as its first request, still answers a minute later, and leaves .next to npm run build",
    async () => {
      root = makeTempDir("credits-cold-dev-");
      devSnapshot(root);
      expect(fs.existsSync(path.join(root, ".next"))).toBe(false);
      expect(fs.existsSync(path.join(root, ".data"))).toBe(false);
      server = startNextDev(root, await freePort(), { WEBHOOK_RETRY_INTERVAL_MS: "0" });
      const output = server.output;

      const first = await get(`${server.url}/`, 8 * 60_000);
      expect(first.status, output().slice(-4000)).toBe(200);
      expect(first.body).toContain("credits");

      await new Promise((r) => setTimeout(r, 60_000));
      expect(server.exitCode(), output().slice(-4000)).toBeUndefined();
      const later = await get(`${server.url}/`, 5 * 60_000);
      expect(later.status, output().slice(-4000)).toBe(200);
      const health = await get(`${server.url}/api/health`, 5 * 60_000);
      expect(health.status, output().slice(-4000)).toBe(200);
      expect(output()).not.toMatch(CRASH_SIGNS);
      // next dev builds into .next-dev (next.config.ts): a production build in .next survives it, and the other way round.
      expect(fs.existsSync(path.join(root, ".next-dev"))).toBe(true);
      expect(fs.existsSync(path.join(root, ".next"))).toBe(false);
    },
    20 * 60_000,
  );
});
