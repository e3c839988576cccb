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
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseEnv, freePort, ROOT, snapshotSources } from "../helpers/server";

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
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "credits-cold-dev-"));
  let stop = () => {};
  afterAll(() => {
    stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(
    "serves / as its first request and still answers a minute later",
    async () => {
      snapshotSources(root, ".next");
      // A real node_modules folder, as in a fresh clone: Turbopack refuses a node_modules symlink that points
      // outside the project. Hard links when the temp dir shares the file system (instant), else a copy.
      fs.unlinkSync(path.join(root, "node_modules"));
      const linked = spawnSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(root, "node_modules")]);
      if (linked.status !== 0) {
        fs.rmSync(path.join(root, "node_modules"), { recursive: true, force: true });
        expect(spawnSync("cp", ["-a", path.join(ROOT, "node_modules"), path.join(root, "node_modules")]).status).toBe(
          0,
        );
      }
      expect(fs.existsSync(path.join(root, ".next"))).toBe(false);
      expect(fs.existsSync(path.join(root, ".data"))).toBe(false);
      const port = await freePort();
      // What `npm run dev` runs (package.json), on our own port.
      const devArgs = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
        .scripts.dev.split(/\s+/)
        .slice(1);
      expect(devArgs[0]).toBe("dev");
      const child = spawn(
        process.execPath,
        [path.join(root, "node_modules/next/dist/bin/next"), ...devArgs, "-p", String(port), "-H", "127.0.0.1"],
        {
          cwd: root,
          env: { ...baseEnv(), NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", WEBHOOK_RETRY_INTERVAL_MS: "0" },
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        },
      );
      let output = "";
      child.stdout!.on("data", (d) => (output = (output + d).slice(-200_000)));
      child.stderr!.on("data", (d) => (output = (output + d).slice(-200_000)));
      let exitCode: number | null | undefined;
      child.on("exit", (code) => (exitCode = code));
      stop = () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      };
      const base = `http://127.0.0.1:${port}`;

      const first = await get(`${base}/`, 8 * 60_000);
      expect(first.status, output.slice(-4000)).toBe(200);
      expect(first.body).toContain("credits");

      await new Promise((r) => setTimeout(r, 60_000));
      expect(exitCode, output.slice(-4000)).toBeUndefined();
      const later = await get(`${base}/`, 5 * 60_000);
      expect(later.status, output.slice(-4000)).toBe(200);
      const health = await get(`${base}/api/health`, 5 * 60_000);
      expect(health.status, output.slice(-4000)).toBe(200);
      expect(output).not.toMatch(CRASH_SIGNS);
    },
    20 * 60_000,
  );
});
