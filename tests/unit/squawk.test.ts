/**
 * squawk lints every migration written since the linter came in (.squawk.toml):
 * locks, rewrites, dropped columns and the like fail `npm test` unless the
 * migration says on the line before why it is intended (`-- squawk-ignore <rule> -- <why>`).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const SQUAWK = path.join(process.cwd(), "node_modules/.bin/squawk");
const CONFIG = path.join(process.cwd(), ".squawk.toml");

/**
 * The 33 migrations written before the linter (the last five, account security, landed while it
 * was being built): the only ones it may skip.
 */
const LAST_UNLINTED = "20261206000140_verification_asks_before_it_confirms.sql";

async function squawk(files: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(SQUAWK, ["--config", CONFIG, "--reporter", "gcc", ...files]);
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  }
}

describe("squawk over supabase/migrations", () => {
  const migrations = fs
    .readdirSync("supabase/migrations")
    .filter((f) => f.endsWith(".sql"))
    .sort();

  it("finds nothing in the migrations it lints", async () => {
    const result = await squawk(migrations.map((f) => path.join("supabase/migrations", f)));
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  });

  it("skips only the migrations written before it came in", () => {
    const excluded = [...fs.readFileSync(CONFIG, "utf8").matchAll(/"supabase\/migrations\/([^"]+)"/g)].map((m) => m[1]);
    expect(excluded).toEqual(migrations.filter((f) => f <= LAST_UNLINTED));
    expect(excluded).toHaveLength(33);
  });

  it("gives the reason for every finding a migration tells it to ignore", () => {
    const unexplained = migrations
      .filter((f) => f > LAST_UNLINTED)
      .flatMap((f) =>
        fs
          .readFileSync(path.join("supabase/migrations", f), "utf8")
          .split("\n")
          .filter((line) => /squawk-ignore/.test(line) && !/squawk-ignore [\w-]+(, [\w-]+)* -- \S/.test(line))
          .map((line) => `${f}: ${line}`),
      );
    expect(unexplained).toEqual([]);
  });

  it("fails a new migration that drops a column, unless the line before says why", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "credits-squawk-"));
    try {
      const header = "set local lock_timeout = '5s';\nset local statement_timeout = '60s';\n";
      fs.writeFileSync(path.join(dir, "a.sql"), `${header}alter table public.trading_alerts drop column ticker;\n`);
      fs.writeFileSync(
        path.join(dir, "b.sql"),
        `${header}-- squawk-ignore ban-drop-column -- nothing reads it: the alerts page shows the payload\nalter table public.trading_alerts drop column ticker;\n`,
      );
      const bad = await squawk([path.join(dir, "a.sql")]);
      expect(bad.code).not.toBe(0);
      expect(bad.output).toContain("ban-drop-column");
      expect(await squawk([path.join(dir, "b.sql")])).toEqual({ code: 0, output: "" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
