/**
 * The minimal route (SPEC section 8): bench/minimal-route is a tiny Next app of
 * its own (one route handler: stripe signature check + one pg call to a plain
 * plpgsql function, ./bench/minimal-route/schema.sql). Built into a snapshot
 * under the OS temp dir (node_modules linked, rebuilt when its files change)
 * and started with `next start` beside the app, on the same database.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, type Build } from "../../tests/helpers/server";
import type { Query } from "./verify";

const SOURCE = path.join(ROOT, "bench", "minimal-route");
const DIST_DIR = ".next-bench";
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

function fingerprint(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "node_modules" || entry.name.startsWith(".next")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else hash.update(path.relative(SOURCE, full)).update("\0").update(fs.readFileSync(full)).update("\0");
    }
  };
  walk(SOURCE);
  hash.update(fs.readFileSync(path.join(ROOT, "package-lock.json")));
  return hash.digest("hex");
}

/** `next build` of bench/minimal-route unless the snapshot already holds a build of these files. */
export async function ensureMinimalBuild(log: (line: string) => void): Promise<Build> {
  const root = path.join(
    os.tmpdir(),
    "credits-next-builds",
    `${createHash("sha256").update(ROOT).digest("hex").slice(0, 10)}-minimal-route`,
  );
  const stamp = path.join(root, DIST_DIR, "SOURCE_FINGERPRINT");
  const print = fingerprint();
  if (
    fs.existsSync(path.join(root, DIST_DIR, "BUILD_ID")) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === print
  ) {
    return { root, distDir: DIST_DIR, built: false, seconds: 0 };
  }
  const started = Date.now();
  log(`building the minimal route in ${root} (next build)…`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.cpSync(SOURCE, root, { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  const child = spawn(process.execPath, [NEXT_BIN, "build"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      NEXT_DIST_DIR: DIST_DIR,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`next build of the minimal route failed (exit ${code}):\n${output.slice(-4000)}`);
  fs.writeFileSync(stamp, print);
  return { root, distDir: DIST_DIR, built: true, seconds: (Date.now() - started) / 1000 };
}

export const MINIMAL_SCHEMA_SQL = () => fs.readFileSync(path.join(SOURCE, "schema.sql"), "utf8");

/**
 * Exactly-once for the minimal route's own tables: one event row per unique
 * event, one purchase per payment, one ledger row per purchase, wallets = ledger sums.
 */
export async function verifyMinimal(
  query: Query,
  expect: { label: string; prefix: string; payments: string[]; events: string[] },
): Promise<string[]> {
  const [row] = await query<{
    events: string;
    purchases: string;
    missing: string;
    ledger_off: string;
    wallets_off: string;
  }>(
    `with want as (select unnest($1::text[]) as external_id)
     select (select count(*) from bench_minimal.events where event_id = any($3::text[]))::text as events,
            (select count(*) from bench_minimal.purchases where external_id like $2 || '%')::text as purchases,
            (select count(*) from want w where not exists (
               select 1 from bench_minimal.purchases p where p.external_id = w.external_id))::text as missing,
            (select count(*) from bench_minimal.purchases p where p.external_id like $2 || '%'
               and (select count(*) from bench_minimal.ledger l where l.purchase_id = p.id) <> 1)::text as ledger_off,
            (select count(*) from bench_minimal.wallets w
               where w.balance <> (select coalesce(sum(delta), 0) from bench_minimal.ledger l where l.user_id = w.user_id))::text as wallets_off`,
    [[...new Set(expect.payments)], expect.prefix, [...new Set(expect.events)]],
  );
  const unique = new Set(expect.payments).size;
  const violations: string[] = [];
  if (Number(row.events) !== new Set(expect.events).size)
    violations.push(`${expect.label}: ${row.events} event rows for ${new Set(expect.events).size} events`);
  if (Number(row.purchases) !== unique || row.missing !== "0") {
    violations.push(`${expect.label}: ${row.purchases} purchases for ${unique} payments (missing ${row.missing})`);
  }
  if (row.ledger_off !== "0")
    violations.push(`${expect.label}: ${row.ledger_off} purchases without exactly one ledger row`);
  if (row.wallets_off !== "0")
    violations.push(`${expect.label}: ${row.wallets_off} wallets differ from their ledger sum`);
  return violations;
}
