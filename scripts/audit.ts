/**
 * `npm run audit`: `npm audit --omit=dev`, judged by scripts/audit-report.ts.
 * Exit 1 on a high/critical advisory without a note in
 * scripts/audit-exceptions.json. When the registry has no advisory endpoint
 * (this machine's mirror: 405) it says so and exits 0, or 1 with
 * AUDIT_REQUIRED=1 (set it where the real registry is reachable).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describeVerdict, evaluateAudit } from "./audit-report";

const root = path.resolve(import.meta.dirname, "..");
const exceptions = JSON.parse(fs.readFileSync(path.join(root, "scripts", "audit-exceptions.json"), "utf8")) as Record<
  string,
  string
>;
delete exceptions.$comment;

execFile("npm", ["audit", "--omit=dev", "--json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = { message: error ? error.message.split("\n")[0] : "npm audit printed no JSON" };
  }
  const verdict = evaluateAudit(report as Parameters<typeof evaluateAudit>[0], exceptions);
  for (const line of describeVerdict(verdict)) console.log(line);
  if (verdict.status === "unavailable") {
    if (process.env.AUDIT_REQUIRED === "1") process.exit(1);
    console.log("skipped (set AUDIT_REQUIRED=1 to fail instead); see docs/performance.md#dependency-audit");
    return;
  }
  process.exit(verdict.status === "pass" ? 0 : 1);
});
