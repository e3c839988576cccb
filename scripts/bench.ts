/**
 * npm run bench [-- options]: the webhook throughput benchmark (SPEC section 8).
 *
 *   (default)        postgres: production server on a fresh database, signed
 *                    checkout.session.completed deliveries + redeliveries through
 *                    autocannon, then the same grants straight to Postgres (the
 *                    ceiling); verifies exactly-once; exits 1 on any violation.
 *   --embedded       the same deliveries against the app in embedded mode (PGlite).
 *   --log-queries    1,000,000 seeded webhook_events: admin log query timings + EXPLAIN.
 *   --spend          also the public spend API (POST /api/v1/spend with API keys of funded
 *                    accounts, scripts/bench/spend.ts), printed next to the webhook figure.
 *   --all            all of them.
 *   --count N  --concurrency N  --duplicates 0.2  --warmup N  --pool N (PG_POOL_MAX)  --keep
 *   --reuse-build    run whatever build is in .next-bench (skip the source check)
 *   --instances N    N `next start` processes on the one database, connections spread over them
 *   --cpu-prof       write the server's V8 CPU profile to .data/bench/profiles
 *   --node-options S NODE_OPTIONS for the server(s), e.g. "--max-semi-space-size=16" (A/B runtime flags)
 *   --build-root DIR --dist-dir D   run a build made elsewhere (A/B experiments)
 *
 * DATABASE_URL names the server (its database part is ignored: a credits_bench_*
 * database is created and dropped); unset, postgres://postgres@127.0.0.1:5432/postgres.
 * Builds into .next-bench (a snapshot under the OS temp dir) when the sources changed;
 * the server listens on 127.0.0.1:3500–3599.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { parseArgs } from "node:util";
import { createPgliteDatabase } from "../lib/db/pglite";
import { ensureBuild, freePort, ROOT, startNextServer, type Build, type NextServer } from "../tests/helpers/server";
import { runCeiling, type CeilingResult } from "./bench/ceiling";
import { createBenchDatabase, CREATE_USERS_SQL, DEFAULT_ADMIN_URL } from "./bench/database";
import { generateTraffic, type Delivery } from "./bench/deliveries";
import { runHttpLoad, type HttpLoadResult } from "./bench/http-load";
import { runIngestCeiling, type IngestCeilingResult } from "./bench/ingest-ceiling";
import { runLogQueries, type LogQueryResult } from "./bench/log-queries";
import { runSpendScenario } from "./bench/spend";
import { verifyExactlyOnce, type Query } from "./bench/verify";

const { values: flags } = parseArgs({
  options: {
    count: { type: "string" },
    concurrency: { type: "string", default: "16" },
    duplicates: { type: "string", default: "0.2" },
    warmup: { type: "string", default: "500" },
    pool: { type: "string" },
    users: { type: "string", default: "1000" },
    embedded: { type: "boolean", default: false },
    "log-queries": { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    spend: { type: "boolean", default: false },
    accounts: { type: "string", default: "64" },
    keep: { type: "boolean", default: false },
    "skip-ceiling": { type: "boolean", default: false },
    "reuse-build": { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
    instances: { type: "string", default: "1" },
    "build-root": { type: "string" },
    "dist-dir": { type: "string" },
    "node-options": { type: "string" },
  },
});

const DIST_DIR = ".next-bench";
const SECRET = `whsec_bench_${randomBytes(16).toString("hex")}`;
const WEBHOOK_PATH = "/api/stripe/webhook";
const concurrency = Number(flags.concurrency);
const duplicateShare = Number(flags.duplicates);
const warmupCount = Number(flags.warmup);
const userCount = Number(flags.users);
const scenarios = {
  postgres: flags.all || (!flags.embedded && !flags["log-queries"]),
  embedded: flags.all || flags.embedded,
  logQueries: flags.all || flags["log-queries"],
  spend: flags.all || flags.spend,
};

const load = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
const log = (line: string) => console.log(line);

function appEnv(extra: Record<string, string>): Record<string, string> {
  return {
    STRIPE_WEBHOOK_SECRET: SECRET,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    APP_DATA_DIR: path.join(ROOT, ".data", "bench"),
    ...(flags.pool ? { PG_POOL_MAX: flags.pool } : {}),
    ...(flags["node-options"] ? { NODE_OPTIONS: flags["node-options"] } : {}),
    ...extra,
  };
}

const PROFILE_DIR = path.join(ROOT, ".data", "bench", "profiles");
const nodeArgs = () => (flags["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []);

/** CPU seconds (user + system) a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

interface ThroughputRun {
  warmup: HttpLoadResult;
  run: HttpLoadResult;
  /** Server CPU milliseconds per request during the measured run: robust to a busy machine. */
  serverCpuMsPerRequest: number;
  /** The load generator (this process: autocannon) per request: it shares the cores with the app. */
  generatorCpuMsPerRequest: number;
  deliveries: Delivery[];
  warmupDeliveries: Delivery[];
  runTag: string;
}

/** Warm-up (JIT, connection pool, prepared statements), then the measured run. */
async function driveServer(servers: NextServer[], userIds: string[], count: number): Promise<ThroughputRun> {
  const url = servers.length === 1 ? servers[0].url : servers.map((s) => s.url);
  const cpuOfServers = () => servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0);
  const runTag = randomBytes(3).toString("hex");
  const warmupDeliveries = generateTraffic({ count: warmupCount, duplicateShare, secret: SECRET, userIds, runTag: `w${runTag}` });
  const deliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `r${runTag}` });
  const warmup = await runHttpLoad({ url, path: WEBHOOK_PATH, deliveries: warmupDeliveries, connections: concurrency });
  const cpuBefore = cpuOfServers();
  const generatorBefore = process.cpuUsage();
  const run = await runHttpLoad({ url, path: WEBHOOK_PATH, deliveries, connections: concurrency });
  const generator = process.cpuUsage(generatorBefore);
  const perRequest = (ms: number) => Math.round((ms * 100) / run.requests) / 100;
  const serverCpuMsPerRequest = perRequest((cpuOfServers() - cpuBefore) * 1000);
  const generatorCpuMsPerRequest = perRequest((generator.user + generator.system) / 1000);
  log(`server CPU per request  ${serverCpuMsPerRequest} ms (user + system, measured run); load generator ${generatorCpuMsPerRequest} ms`);
  return { warmup, run, serverCpuMsPerRequest, generatorCpuMsPerRequest, deliveries, warmupDeliveries, runTag };
}

function httpViolations(label: string, result: HttpLoadResult, deliveries: Delivery[]): string[] {
  const violations: string[] = [];
  const unique = new Set(deliveries.map((d) => d.eventId)).size;
  if (result.requests !== deliveries.length || result.built !== deliveries.length) {
    violations.push(`${label}: ${result.requests} responses / ${result.built} requests built for ${deliveries.length} deliveries`);
  }
  if ((result.statuses["200"] ?? 0) !== deliveries.length || result.errors || result.timeouts) {
    violations.push(`${label}: statuses ${JSON.stringify(result.statuses)}, errors ${result.errors}, timeouts ${result.timeouts}`);
  }
  if (result.firstDeliveries !== unique) {
    violations.push(`${label}: ${result.firstDeliveries} deliveries answered as new for ${unique} unique events`);
  }
  return violations;
}

const expectations = (label: string, tag: string, deliveries: Delivery[]) => ({
  label,
  prefix: `pi_bench_${tag}_`,
  deliveries,
  events: deliveries.map((d) => d.eventId),
});

function printHttp(label: string, r: HttpLoadResult): void {
  log(
    `${label.padEnd(22)} ${String(r.eventsPerSecond).padStart(6)} events/s   p50 ${r.latency.p50} ms   p95 ${r.latency.p95} ms   p99 ${r.latency.p99} ms   max ${r.latency.max} ms   (${r.requests} requests in ${r.seconds} s; statuses ${JSON.stringify(r.statuses)})`,
  );
}

function printCeiling(r: CeilingResult): void {
  log(
    `${"database ceiling".padEnd(22)} ${String(r.callsPerSecond).padStart(6)} calls/s    p50 ${r.latency.p50} ms   p95 ${r.latency.p95} ms   p99 ${r.latency.p99} ms   max ${r.latency.max} ms   (${r.calls} calls in ${r.seconds} s; ${JSON.stringify(r.outcomes)})`,
  );
}

async function postgresScenario(build: Build, adminUrl: string, count: number, violations: string[]) {
  const database = await createBenchDatabase(adminUrl);
  log(`database ${database.name} created and migrated`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query: Query = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
  const servers: NextServer[] = [];
  try {
    const userIds = (await query<{ id: string }>(CREATE_USERS_SQL, ["pg", userCount])).map((r) => r.id);
    for (let i = 0; i < Number(flags.instances); i++) {
      const port = await freePort(3500 + i * 2, 3509);
      servers.push(await startNextServer({ build, port, env: appEnv({ DATABASE_URL: database.url }), nodeArgs: nodeArgs() }));
    }
    log(`next start × ${servers.length} on ${servers.map((s) => s.url).join(", ")} (PG_POOL_MAX ${flags.pool ?? "default"}); load ${load().join(" ")}`);

    const loadBefore = load();
    const http = await driveServer(servers, userIds, count);
    printHttp("app (full pipeline)", http.run);
    violations.push(...httpViolations("warm-up", http.warmup, http.warmupDeliveries), ...httpViolations("app", http.run, http.deliveries));
    await Promise.all(servers.splice(0).map((s) => s.stop()));

    let ceiling: CeilingResult | undefined;
    let ceilingDeliveries: Delivery[] = [];
    if (!flags["skip-ceiling"]) {
      ceilingDeliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `c${http.runTag}` });
      ceiling = await runCeiling({ url: database.url, deliveries: ceilingDeliveries, concurrency });
      printCeiling(ceiling);
      log(`ratio app/ceiling      ${(http.run.eventsPerSecond / ceiling.callsPerSecond).toFixed(2)}`);
    }
    let ingestCeiling: IngestCeilingResult | undefined;
    let ingestDeliveries: Delivery[] = [];
    if (!flags["skip-ceiling"]) {
      // Diagnosis: the full ingest_webhook_event call without HTTP/Next (where does the time go?).
      ingestDeliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `i${http.runTag}` });
      ingestCeiling = await runIngestCeiling({ url: database.url, deliveries: ingestDeliveries, concurrency });
      log(
        `${"ingest SQL, no HTTP".padEnd(22)} ${String(ingestCeiling.callsPerSecond).padStart(6)} calls/s    p50 ${ingestCeiling.latency.p50} ms   p95 ${ingestCeiling.latency.p95} ms   p99 ${ingestCeiling.latency.p99} ms`,
      );
    }
    const loadAfter = load();

    violations.push(...(await verifyExactlyOnce(query, expectations("warm-up", `w${http.runTag}`, http.warmupDeliveries))));
    violations.push(...(await verifyExactlyOnce(query, expectations("app", `r${http.runTag}`, http.deliveries))));
    if (ingestCeiling) {
      violations.push(...(await verifyExactlyOnce(query, expectations("ingest SQL", `i${http.runTag}`, ingestDeliveries))));
    }
    if (ceiling) {
      violations.push(
        ...(await verifyExactlyOnce(query, { label: "ceiling", prefix: `pi_bench_c${http.runTag}_`, deliveries: ceilingDeliveries })),
      );
      if ((ceiling.outcomes.granted ?? 0) !== new Set(ceilingDeliveries.map((d) => d.paymentId)).size) {
        violations.push(`ceiling: outcomes ${JSON.stringify(ceiling.outcomes)}`);
      }
    }
    return {
      app: http.run,
      serverCpuMsPerRequest: http.serverCpuMsPerRequest,
      generatorCpuMsPerRequest: http.generatorCpuMsPerRequest,
      warmup: { eventsPerSecond: http.warmup.eventsPerSecond, requests: http.warmup.requests },
      ceiling,
      ingestCeiling,
      ratio: ceiling ? Math.round((http.run.eventsPerSecond / ceiling.callsPerSecond) * 100) / 100 : undefined,
      poolMax: flags.pool ? Number(flags.pool) : "default",
      instances: Number(flags.instances),
      loadBefore,
      loadAfter,
    };
  } catch (error) {
    for (const s of servers) log(`server output:\n${s.output().slice(-3000)}`);
    throw error;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await client.end();
    if (flags.keep) log(`kept database ${database.name}`);
    else await database.drop();
  }
}

async function embeddedScenario(build: Build, count: number, violations: string[]) {
  const dataDir = path.join(ROOT, ".data", `bench-pglite-${Date.now().toString(36)}`);
  const setup = createPgliteDatabase({ dataDir });
  const userIds = (await setup.query<{ id: string }>(CREATE_USERS_SQL, ["embedded", userCount])).map((r) => r.id);
  await setup.close();
  let server: NextServer | undefined;
  try {
    server = await startNextServer({ build, port: await freePort(3500, 3509), env: appEnv({ PGLITE_DIR: dataDir }), nodeArgs: nodeArgs() });
    log(`next start (embedded, PGlite in ${path.relative(ROOT, dataDir)}) on ${server.url}; load ${load().join(" ")}`);
    const loadBefore = load();
    const http = await driveServer([server], userIds, count);
    printHttp("app (embedded)", http.run);
    violations.push(...httpViolations("embedded warm-up", http.warmup, http.warmupDeliveries), ...httpViolations("embedded", http.run, http.deliveries));
    const loadAfter = load();
    await server.stop();
    server = undefined;

    const check = createPgliteDatabase({ dataDir, migrate: false });
    try {
      const query: Query = (sql, params) => check.query(sql, params);
      violations.push(...(await verifyExactlyOnce(query, expectations("embedded warm-up", `w${http.runTag}`, http.warmupDeliveries))));
      violations.push(...(await verifyExactlyOnce(query, expectations("embedded", `r${http.runTag}`, http.deliveries))));
    } finally {
      await check.close();
    }
    return { app: http.run, serverCpuMsPerRequest: http.serverCpuMsPerRequest, loadBefore, loadAfter };
  } catch (error) {
    if (server) log(`server output:\n${server.output().slice(-3000)}`);
    throw error;
  } finally {
    await server?.stop();
    if (!flags.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL || DEFAULT_ADMIN_URL;
  if (!process.env.DATABASE_URL && (scenarios.postgres || scenarios.logQueries)) {
    log(`DATABASE_URL is not set: using ${DEFAULT_ADMIN_URL} to create the benchmark database`);
  }
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; load ${load().join(" ")}`);
  const violations: string[] = [];
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    options: { concurrency, duplicateShare, warmup: warmupCount, users: userCount, pool: flags.pool ?? "default" },
  };

  let build: Build | undefined;
  if (scenarios.postgres || scenarios.embedded || scenarios.spend) {
    build = flags["build-root"]
      ? { root: path.resolve(flags["build-root"]), distDir: flags["dist-dir"] ?? DIST_DIR, built: false, seconds: 0 }
      : await ensureBuild({ distDir: DIST_DIR, reuse: flags["reuse-build"], log });
    log(build.built ? `built ${DIST_DIR} in ${build.seconds.toFixed(0)} s` : `reusing the build in ${build.root}/${build.distDir}`);
  }
  if (scenarios.postgres) {
    log(`\n== webhook throughput, postgres mode (concurrency ${concurrency}, ${Math.round(duplicateShare * 100)} % redeliveries)`);
    results.postgres = await postgresScenario(build!, adminUrl, Number(flags.count ?? 10_000), violations);
  }
  if (scenarios.embedded) {
    log(`\n== webhook throughput, embedded mode (PGlite)`);
    results.embedded = await embeddedScenario(build!, Number(flags.count ?? 3_000), violations);
  }
  if (scenarios.spend) {
    log(`\n== spend API throughput, postgres mode (concurrency ${concurrency}, ${Math.round(duplicateShare * 100)} % retries)`);
    const spend = await runSpendScenario({
      build: build!, adminUrl, count: Number(flags.count ?? 10_000), warmup: warmupCount, concurrency, duplicateShare,
      accounts: Number(flags.accounts), appEnv, nodeArgs: nodeArgs(), keep: flags.keep, log,
    });
    results.spend = spend;
    violations.push(...spend.violations);
    const webhook = (results.postgres as { app?: HttpLoadResult } | undefined)?.app?.eventsPerSecond;
    log(
      `${"spend API".padEnd(22)} ${String(spend.run.spendsPerSecond).padStart(6)} spends/s   p50 ${spend.run.latency.p50} ms   p95 ${spend.run.latency.p95} ms   p99 ${spend.run.latency.p99} ms   (${spend.run.requests} requests in ${spend.run.seconds} s; ${JSON.stringify(spend.outcomes)})`,
    );
    log(`spends/s vs webhook    ${spend.run.spendsPerSecond} spends/s next to ${webhook ?? "(webhook scenario not run)"} webhook events/s`);
  }
  if (scenarios.logQueries) {
    log(`\n== admin event log on 1,000,000 events`);
    const logQueries: LogQueryResult = await runLogQueries({ adminUrl, keep: flags.keep, log });
    results.logQueries = logQueries;
    violations.push(...logQueries.violations);
  }

  results.violations = violations;
  fs.mkdirSync(path.join(ROOT, "bench/results"), { recursive: true });
  const file = path.join(ROOT, "bench/results", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
  log(`\nresults: ${path.relative(ROOT, file)}`);
  if (violations.length > 0) {
    console.error(`\nVIOLATIONS:\n- ${violations.join("\n- ")}`);
    process.exit(1);
  }
  if (scenarios.postgres || scenarios.embedded) {
    log("exactly-once verified: every payment granted once, one purchase ledger row each, wallets = ledger sums");
  }
  if (scenarios.spend) log("spends verified: each Idempotency-Key spent at most once, ledger = answers per user, no wallet below zero");
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
