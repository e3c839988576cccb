/**
 * The JSON log goes to stdout through a buffer (lib/logger.ts): a line must
 * still reach stdout within about a second on a quiet server, and every line
 * must be written when the process exits, however it exits normally.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const TSX = path.join(process.cwd(), "node_modules/.bin/tsx");

/** Runs `body` with `logger` in scope in a child process; resolves with its stdout lines and when each arrived. */
function runChild(body: string): Promise<{ lines: Array<{ msg: string; at: number }>; exitedAt: number }> {
  const script = `
    import { createLogger } from "./lib/logger";
    const logger = createLogger({ level: "info", format: "json" });
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(TSX, ["--eval", script], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_ENV: "production" },
    });
    const lines: Array<{ msg: string; at: number }> = [];
    let rest = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const text = rest + chunk.toString();
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts)
        lines.push({ msg: (JSON.parse(line) as { msg: string }).msg, at: Date.now() - started });
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve({ lines, exitedAt: Date.now() - started }) : reject(new Error(`exit ${code}: ${stderr}`)),
    );
  });
}

describe("the buffered JSON log", () => {
  it("writes a lone line within about a second, before the process ends", async () => {
    const { lines, exitedAt } = await runChild(`
      setTimeout(() => logger.info("lone line"), 200);
      setTimeout(() => {}, 3_000);
    `);
    expect(lines.map((l) => l.msg)).toEqual(["lone line"]);
    // logged at ~200 ms after start-up; the timer writes it within a second, long before the exit at ~3 s
    expect(exitedAt - lines[0].at).toBeGreaterThan(1_000);
  }, 30_000);

  it("writes every buffered line when the process exits", async () => {
    const { lines } = await runChild(`
      for (let i = 0; i < 50; i++) logger.info("line " + i);
      process.exit(0);
    `);
    expect(lines.map((l) => l.msg)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
  }, 30_000);
});
