/**
 * The scripts check the environment like the server does: with a bad one they print every
 * problem, one line each naming its variable, and exit 1 before touching anything (here a
 * database that does not exist: the check comes before any connection).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const childEnv = { NODE_ENV: "test" as const, PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env };
    execFile(TSX, [script], { cwd: ROOT, env: childEnv }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
}

describe("scripts with a bad environment", () => {
  it.each(["scripts/migrate.ts", "scripts/stripe-reconcile.ts"])(
    "%s lists every problem and exits 1 before doing anything",
    async (script) => {
      const { code, output } = await runScript(script, {
        NODE_ENV: "production",
        DATABASE_URL: "postgres://credits@127.0.0.1:1/credits",
        METRICS_TOKEN: " ",
        LOG_FORMAT: "xml",
      });
      expect(code, output).toBe(1);
      expect(output).toContain("Configuration: 3 problems; nothing was done.");
      expect(output.split("\n").filter((line) => line.startsWith("  ✗ "))).toEqual([
        expect.stringMatching(/^ {2}✗ AUTH_SECRET: required in production in postgres mode/),
        expect.stringMatching(/^ {2}✗ METRICS_TOKEN: is set but empty/),
        expect.stringMatching(/^ {2}✗ LOG_FORMAT: must be one of json, pretty/),
      ]);
      expect(output).not.toMatch(/ECONNREFUSED|migration failed|reconciliation failed/);
    },
  );
});
