/**
 * npm run bench [-- options]: the webhook throughput benchmark (SPEC section 8).
 *
 *   (default)        postgres: our production server and the minimal route
 *                    (bench/minimal-route: stripe signature check + one pg call
 *                    to a plain plpgsql function) on one fresh database, in
 *                    alternating rounds of signed checkout.session.completed
 *                    deliveries + redeliveries through autocannon; prints
 *                    app/minimal, server and Postgres CPU ms per request for
 *                    both; then the same grants straight to Postgres (the
 *                    ceiling); verifies exactly-once; exits 1 on any violation.
 *   --embedded       the same deliveries against the app in embedded mode (PGlite).
 *   --log-queries    1,000,000 seeded webhook_events: admin log query timings + EXPLAIN.
 *   --spend          the spend API instead: POST /api/v1/spend and the capture of a hold
 *                    (POST /api/v1/holds, then …/capture) against the minimal route's plain
 *                    SQL (bench/minimal-route), with --keys keys (default 200) and with one hot
 *                    key, alternating rounds, CPU per request; verifies no overdraft and one
 *                    debit per 200 (scripts/bench/spend.ts).
 *   --all            all of them.
 *   --count N (per round; default 3,000, embedded 3,000, spend 3,000)  --rounds N (default 3; spend 9)  --skip-minimal  --skip-ceiling
 *   --concurrency N  --duplicates 0.2  --warmup N  --pool N (PG_POOL_MAX)  --keep
 *   --reuse-build    run whatever build is in .next-bench (skip the source check)
 *   --instances N    N `next start` processes on the one database, connections spread over them
 *   --cpu-prof       write the servers' V8 CPU profiles to .data/bench/profiles/{app,minimal}
 *   --node-options S NODE_OPTIONS for the server(s), e.g. "--max-semi-space-size=16" (A/B runtime flags)
 *   --app-env K=V    an environment variable for the app's server(s), repeatable (A/B settings, e.g. LOG_LEVEL=warn)
 *   --app-sql FILE   SQL run on the app's database after the migrations (A/B of a schema variant, e.g.
 *                    scripts/bench/variants/without-integrity.sql); never touches the minimal route's tables
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
import { envForScript } from "../lib/config-check";
import { createPgliteDatabase } from "../lib/db/pglite";
import { ensureBuild, freePort, ROOT, startNextServer, type Build, type NextServer } from "../tests/helpers/server";
import { runCeiling, type CeilingResult } from "./bench/ceiling";
import { createBenchDatabase, CREATE_USERS_SQL, DEFAULT_ADMIN_URL } from "./bench/database";
import { generateTraffic, type Delivery } from "./bench/deliveries";
import { runHttpLoad, type HttpLoadResult } from "./bench/http-load";
import { runIngestCeiling, type IngestCeilingResult } from "./bench/ingest-ceiling";
import { runLogQueries, type LogQueryResult } from "./bench/log-queries";
import { printSpendSummary, runSpendScenarios } from "./bench/spend";
import { verifyExactlyOnce, type Query } from "./bench/verify";
import { cpuByPid, cpuDelta, treeCpuSeconds } from "./bench/cpu";
import { ensureMinimalBuild, MINIMAL_SCHEMA_SQL, verifyMinimal } from "./bench/minimal-route";
import { median } from "./bench/stats";

const { values: flags } = parseArgs({
  options: {
    count: { type: "string" },
    concurrency: { type: "string", default: "16" },
    duplicates: { type: "string", default: "0.2" },
    warmup: { type: "string", default: "2000" },
    pool: { type: "string" },
    users: { type: "string", default: "1000" },
    embedded: { type: "boolean", default: false },
    "log-queries": { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    spend: { type: "boolean", default: false },
    keys: { type: "string", default: "200" },
    keep: { type: "boolean", default: false },
    "skip-ceiling": { type: "boolean", default: false },
    "skip-minimal": { type: "boolean", default: false },
    /** Default 3; 9 for --spend, whose rounds vary more (docs/performance.md, "Spend API"). */
    rounds: { type: "string" },
    "reuse-build": { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
    instances: { type: "string", default: "1" },
    "build-root": { type: "string" },
    "dist-dir": { type: "string" },
    "node-options": { type: "string" },
    "app-env": { type: "string", multiple: true, default: [] },
    "app-sql": { type: "string" },
  },
});

const DIST_DIR = ".next-bench";
const SECRET = `whsec_bench_${randomBytes(16).toString("hex")}`;
const WEBHOOK_PATH = "/api/stripe/webhook";
/** The minimal route's path: not /api/stripe/webhook, so nothing in the repo looks like a second Stripe endpoint. */
const MINIMAL_PATH = "/minimal/webhook";
const concurrency = Number(flags.concurrency);
const duplicateShare = Number(flags.duplicates);
const warmupCount = Number(flags.warmup);
const userCount = Number(flags.users);
const scenarios = {
  postgres: flags.all || (!flags.embedded && !flags["log-queries"] && !flags.spend),
  embedded: flags.all || flags.embedded,
  logQueries: flags.all || flags["log-queries"],
  spend: flags.all || flags.spend,
};

const loadNow = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
const log = (line: string) => console.log(line);

function appEnv(extra: Record<string, string>): Record<string, string> {
  return {
    STRIPE_WEBHOOK_SECRET: SECRET,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    APP_DATA_DIR: path.join(ROOT, ".data", "bench"),
    ...(flags.pool ? { PG_POOL_MAX: flags.pool } : {}),
    ...(flags["node-options"] ? { NODE_OPTIONS: flags["node-options"] } : {}),
    ...Object.fromEntries(
      flags["app-env"].map((pair) => {
        const at = pair.indexOf("=");
        if (at < 1) throw new Error(`--app-env takes KEY=VALUE, not ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
    ...extra,
  };
}

const PROFILE_DIR = path.join(ROOT, ".data", "bench", "profiles");
const nodeArgs = (target = "app") =>
  flags["cpu-prof"] ? ["--cpu-prof", `--cpu-prof-dir=${path.join(PROFILE_DIR, target)}`] : [];

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
  const cpuOfServers = () => servers.reduce((sum, s) => sum + treeCpuSeconds(s.pid), 0);
  const runTag = randomBytes(3).toString("hex");
  const warmupDeliveries = generateTraffic({
    count: warmupCount,
    duplicateShare,
    secret: SECRET,
    userIds,
    runTag: `w${runTag}`,
  });
  const deliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `r${runTag}` });
  const warmup = await runHttpLoad({ url, path: WEBHOOK_PATH, deliveries: warmupDeliveries, connections: concurrency });
  const cpuBefore = cpuOfServers();
  const generatorBefore = process.cpuUsage();
  const run = await runHttpLoad({ url, path: WEBHOOK_PATH, deliveries, connections: concurrency });
  const generator = process.cpuUsage(generatorBefore);
  const perRequest = (ms: number) => Math.round((ms * 100) / run.requests) / 100;
  const serverCpuMsPerRequest = perRequest((cpuOfServers() - cpuBefore) * 1000);
  const generatorCpuMsPerRequest = perRequest((generator.user + generator.system) / 1000);
  log(
    `server CPU per request  ${serverCpuMsPerRequest} ms (user + system, measured run); load generator ${generatorCpuMsPerRequest} ms`,
  );
  return { warmup, run, serverCpuMsPerRequest, generatorCpuMsPerRequest, deliveries, warmupDeliveries, runTag };
}

function httpViolations(label: string, result: HttpLoadResult, deliveries: Delivery[]): string[] {
  const violations: string[] = [];
  const unique = new Set(deliveries.map((d) => d.eventId)).size;
  if (result.requests !== deliveries.length || result.built !== deliveries.length) {
    violations.push(
      `${label}: ${result.requests} responses / ${result.built} requests built for ${deliveries.length} deliveries`,
    );
  }
  if ((result.statuses["200"] ?? 0) !== deliveries.length || result.errors || result.timeouts) {
    violations.push(
      `${label}: statuses ${JSON.stringify(result.statuses)}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
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

/** One side of the side-by-side comparison: our app, or the minimal route. */
interface Target {
  label: "app" | "minimal";
  servers: NextServer[];
  /** application_name of its pg connections: picks its Postgres backends in pg_stat_activity. */
  applicationName: string;
  /** Where it takes the signed deliveries. */
  path: string;
}

interface Round {
  target: Target["label"];
  round: number;
  tag: string;
  run: HttpLoadResult;
  deliveries: Delivery[];
  /** next start (+ children) CPU ms per request. */
  serverCpuMsPerRequest: number;
  /** CPU ms per request of the Postgres backends serving this target (user + system from /proc). */
  postgresCpuMsPerRequest: number;
  generatorCpuMsPerRequest: number;
  load: number[];
}

const withApplicationName = (url: string, name: string) => {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
};

/** One measured round against one target: throughput, latency, server and Postgres CPU per request. */
async function runRound(target: Target, round: number, userIds: string[], count: number, query: Query): Promise<Round> {
  const tag = `${target.label === "app" ? "a" : "m"}${round}${randomBytes(3).toString("hex")}`;
  const deliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: tag });
  const backends = async () =>
    (
      await query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = current_database() and application_name = $1",
        [target.applicationName],
      )
    ).map((r) => r.pid);
  const url = target.servers.length === 1 ? target.servers[0].url : target.servers.map((s) => s.url);
  const serverCpu = () => target.servers.reduce((sum, s) => sum + treeCpuSeconds(s.pid), 0);
  const load = loadNow();
  const postgresBefore = cpuByPid(await backends());
  const serverBefore = serverCpu();
  const generatorBefore = process.cpuUsage();
  const run = await runHttpLoad({ url, path: target.path, deliveries, connections: concurrency });
  const generator = process.cpuUsage(generatorBefore);
  const serverSeconds = serverCpu() - serverBefore;
  const postgresSeconds = cpuDelta(postgresBefore, cpuByPid(await backends()));
  const perRequest = (ms: number) => Math.round((ms * 100) / run.requests) / 100;
  const result: Round = {
    target: target.label,
    round,
    tag,
    run,
    deliveries,
    serverCpuMsPerRequest: perRequest(serverSeconds * 1000),
    postgresCpuMsPerRequest: perRequest(postgresSeconds * 1000),
    generatorCpuMsPerRequest: perRequest((generator.user + generator.system) / 1000),
    load,
  };
  log(
    `round ${round} ${target.label.padEnd(8)} ${String(run.eventsPerSecond).padStart(5)} events/s   p50 ${run.latency.p50} ms   p99 ${run.latency.p99} ms   ` +
      `server CPU ${result.serverCpuMsPerRequest} ms/req   Postgres CPU ${result.postgresCpuMsPerRequest} ms/req   ` +
      `generator ${result.generatorCpuMsPerRequest} ms/req   load ${load.join(" ")}   statuses ${JSON.stringify(run.statuses)}`,
  );
  return result;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

async function postgresScenario(
  build: Build,
  minimalBuild: Build | undefined,
  adminUrl: string,
  count: number,
  rounds: number,
  violations: string[],
) {
  const database = await createBenchDatabase(adminUrl);
  log(`database ${database.name} created and migrated`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  if (flags["app-sql"]) {
    await client.query(fs.readFileSync(flags["app-sql"], "utf8"));
    log(`applied ${flags["app-sql"]} to the app's schema (a variant: not what ships)`);
  }
  const query: Query = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
  const targets: Target[] = [];
  try {
    const userIds = (await query<{ id: string }>(CREATE_USERS_SQL, ["pg", userCount])).map((r) => r.id);
    const app: Target = { label: "app", servers: [], applicationName: "credits-bench-app", path: WEBHOOK_PATH };
    targets.push(app);
    for (let i = 0; i < Number(flags.instances); i++) {
      const port = await freePort(3500 + i * 2, 3509);
      const env = appEnv({ DATABASE_URL: withApplicationName(database.url, app.applicationName) });
      app.servers.push(await startNextServer({ build, port, env, nodeArgs: nodeArgs() }));
    }
    log(
      `app: next start × ${app.servers.length} on ${app.servers.map((s) => s.url).join(", ")} (PG_POOL_MAX ${flags.pool ?? "default"})`,
    );
    if (minimalBuild) {
      await client.query(MINIMAL_SCHEMA_SQL());
      const minimal: Target = {
        label: "minimal",
        servers: [],
        applicationName: "credits-bench-minimal",
        path: MINIMAL_PATH,
      };
      targets.push(minimal);
      const env = {
        STRIPE_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: withApplicationName(database.url, minimal.applicationName),
        ...(flags.pool ? { PG_POOL_MAX: flags.pool } : {}),
      };
      minimal.servers.push(
        await startNextServer({
          build: minimalBuild,
          port: await freePort(3501, 3509),
          env,
          readyPath: MINIMAL_PATH,
          nodeArgs: nodeArgs("minimal"),
        }),
      );
      log(`minimal route: next start on ${minimal.servers[0].url} (bench/minimal-route)`);
    }

    // Warm-up (JIT, pools, prepared statements), then alternating measured rounds: app, minimal, app, minimal, …
    const warmups: Array<{ target: Target; tag: string; deliveries: Delivery[]; run: HttpLoadResult }> = [];
    for (const target of targets) {
      const tag = `w${target.label[0]}${randomBytes(3).toString("hex")}`;
      const deliveries = generateTraffic({ count: warmupCount, duplicateShare, secret: SECRET, userIds, runTag: tag });
      const url = target.servers.length === 1 ? target.servers[0].url : target.servers.map((s) => s.url);
      warmups.push({
        target,
        tag,
        deliveries,
        run: await runHttpLoad({ url, path: target.path, deliveries, connections: concurrency }),
      });
    }
    log(
      `warmed up (${warmupCount} deliveries each); ${rounds} rounds of ${count} deliveries per target; load ${loadNow().join(" ")}`,
    );
    const results: Round[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) results.push(await runRound(target, round, userIds, count, query));
    }
    await Promise.all(targets.flatMap((t) => t.servers.splice(0)).map((s) => s.stop()));

    const of = (label: Target["label"]) => results.filter((r) => r.target === label);
    const summary = (label: Target["label"]) => {
      const rs = of(label);
      return rs.length === 0
        ? undefined
        : {
            eventsPerSecond: median(rs.map((r) => r.run.eventsPerSecond)),
            p99: median(rs.map((r) => r.run.latency.p99)),
            serverCpuMsPerRequest: median(rs.map((r) => r.serverCpuMsPerRequest)),
            postgresCpuMsPerRequest: median(rs.map((r) => r.postgresCpuMsPerRequest)),
          };
    };
    const appSummary = summary("app")!;
    const minimalSummary = summary("minimal");
    // Each app round is paired with the minimal round right after it (same moment on the machine).
    const ratios = of("app").flatMap((a) => {
      const m = of("minimal").find((r) => r.round === a.round);
      return m ? [round2(a.run.eventsPerSecond / m.run.eventsPerSecond)] : [];
    });
    log("");
    log(
      `${"".padEnd(10)} ${"events/s".padStart(9)} ${"p99 ms".padStart(8)} ${"server CPU ms/req".padStart(18)} ${"Postgres CPU ms/req".padStart(20)}   (medians of ${rounds} rounds)`,
    );
    for (const [label, s] of [
      ["app", appSummary],
      ["minimal", minimalSummary],
    ] as const) {
      if (s)
        log(
          `${label.padEnd(10)} ${String(s.eventsPerSecond).padStart(9)} ${String(s.p99).padStart(8)} ${String(s.serverCpuMsPerRequest).padStart(18)} ${String(s.postgresCpuMsPerRequest).padStart(20)}`,
        );
    }
    const ratio = ratios.length ? median(ratios) : undefined;
    if (minimalSummary) {
      log(`ratio app/minimal      ${ratio} (median of the rounds' ratios ${ratios.join(", ")})`);
      log(
        `CPU per request, app/minimal: server ${round2(appSummary.serverCpuMsPerRequest / minimalSummary.serverCpuMsPerRequest)}, ` +
          `Postgres ${round2(appSummary.postgresCpuMsPerRequest / minimalSummary.postgresCpuMsPerRequest)}`,
      );
    }

    let ceiling: CeilingResult | undefined;
    let ceilingDeliveries: Delivery[] = [];
    const ceilingTag = randomBytes(3).toString("hex");
    if (!flags["skip-ceiling"]) {
      ceilingDeliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `c${ceilingTag}` });
      ceiling = await runCeiling({ url: database.url, deliveries: ceilingDeliveries, concurrency });
      printCeiling(ceiling);
      log(`ratio app/ceiling      ${(appSummary.eventsPerSecond / ceiling.callsPerSecond).toFixed(2)}`);
    }
    let ingestCeiling: IngestCeilingResult | undefined;
    let ingestDeliveries: Delivery[] = [];
    if (!flags["skip-ceiling"]) {
      // Diagnosis: the full ingest_webhook_event call without HTTP/Next (where does the time go?).
      ingestDeliveries = generateTraffic({ count, duplicateShare, secret: SECRET, userIds, runTag: `i${ceilingTag}` });
      ingestCeiling = await runIngestCeiling({ url: database.url, deliveries: ingestDeliveries, concurrency });
      log(
        `${"ingest SQL, no HTTP".padEnd(22)} ${String(ingestCeiling.callsPerSecond).padStart(6)} calls/s    p50 ${ingestCeiling.latency.p50} ms   p95 ${ingestCeiling.latency.p95} ms   p99 ${ingestCeiling.latency.p99} ms`,
      );
    }

    for (const w of warmups) {
      violations.push(...httpViolations(`${w.target.label} warm-up`, w.run, w.deliveries));
      const expect = expectations(`${w.target.label} warm-up`, w.tag, w.deliveries);
      violations.push(
        ...(w.target.label === "app"
          ? await verifyExactlyOnce(query, expect)
          : await verifyMinimal(query, { ...expect, payments: expect.deliveries.map((d) => d.paymentId) })),
      );
    }
    for (const r of results) {
      const label = `${r.target} round ${r.round}`;
      violations.push(...httpViolations(label, r.run, r.deliveries));
      const expect = expectations(label, r.tag, r.deliveries);
      violations.push(
        ...(r.target === "app"
          ? await verifyExactlyOnce(query, expect)
          : await verifyMinimal(query, { ...expect, payments: expect.deliveries.map((d) => d.paymentId) })),
      );
    }
    if (ingestCeiling) {
      violations.push(
        ...(await verifyExactlyOnce(query, expectations("ingest SQL", `i${ceilingTag}`, ingestDeliveries))),
      );
    }
    if (ceiling) {
      violations.push(
        ...(await verifyExactlyOnce(query, {
          label: "ceiling",
          prefix: `pi_bench_c${ceilingTag}_`,
          deliveries: ceilingDeliveries,
        })),
      );
      if ((ceiling.outcomes.granted ?? 0) !== new Set(ceilingDeliveries.map((d) => d.paymentId)).size) {
        violations.push(`ceiling: outcomes ${JSON.stringify(ceiling.outcomes)}`);
      }
    }
    return {
      rounds: results.map(({ deliveries: _d, run, ...r }) => ({
        ...r,
        eventsPerSecond: run.eventsPerSecond,
        latency: run.latency,
        statuses: run.statuses,
      })),
      app: appSummary,
      minimal: minimalSummary,
      ratioAppMinimal: ratio,
      ratiosAppMinimal: ratios,
      ceiling,
      ingestCeiling,
      ratioAppCeiling: ceiling ? round2(appSummary.eventsPerSecond / ceiling.callsPerSecond) : undefined,
      poolMax: flags.pool ? Number(flags.pool) : "default",
      instances: Number(flags.instances),
    };
  } catch (error) {
    for (const t of targets) for (const s of t.servers) log(`${t.label} server output:\n${s.output().slice(-3000)}`);
    throw error;
  } finally {
    await Promise.all(targets.flatMap((t) => t.servers).map((s) => s.stop()));
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
    server = await startNextServer({
      build,
      port: await freePort(3500, 3509),
      env: appEnv({ PGLITE_DIR: dataDir }),
      nodeArgs: nodeArgs(),
    });
    log(
      `next start (embedded, PGlite in ${path.relative(ROOT, dataDir)}) on ${server.url}; load ${loadNow().join(" ")}`,
    );
    const loadBefore = loadNow();
    const http = await driveServer([server], userIds, count);
    printHttp("app (embedded)", http.run);
    violations.push(
      ...httpViolations("embedded warm-up", http.warmup, http.warmupDeliveries),
      ...httpViolations("embedded", http.run, http.deliveries),
    );
    const loadAfter = loadNow();
    await server.stop();
    server = undefined;

    const check = createPgliteDatabase({ dataDir, migrate: false });
    try {
      const query: Query = (sql, params) => check.query(sql, params);
      violations.push(
        ...(await verifyExactlyOnce(query, expectations("embedded warm-up", `w${http.runTag}`, http.warmupDeliveries))),
      );
      violations.push(
        ...(await verifyExactlyOnce(query, expectations("embedded", `r${http.runTag}`, http.deliveries))),
      );
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
  const server = envForScript().DATABASE_URL;
  const adminUrl = server || DEFAULT_ADMIN_URL;
  if (!server && (scenarios.postgres || scenarios.logQueries)) {
    log(`DATABASE_URL is not set: using ${DEFAULT_ADMIN_URL} to create the benchmark database`);
  }
  log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; load ${loadNow().join(" ")}`,
  );
  const violations: string[] = [];
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    options: { concurrency, duplicateShare, warmup: warmupCount, users: userCount, pool: flags.pool ?? "default" },
    ...(flags["app-sql"] ? { appSql: flags["app-sql"] } : {}),
  };

  let build: Build | undefined;
  if (scenarios.postgres || scenarios.embedded || scenarios.spend) {
    build = flags["build-root"]
      ? { root: path.resolve(flags["build-root"]), distDir: flags["dist-dir"] ?? DIST_DIR, built: false, seconds: 0 }
      : await ensureBuild({ distDir: DIST_DIR, reuse: flags["reuse-build"], log });
    log(
      build.built
        ? `built ${DIST_DIR} in ${build.seconds.toFixed(0)} s`
        : `reusing the build in ${build.root}/${build.distDir}`,
    );
  }
  if (scenarios.postgres) {
    log(
      `\n== webhook throughput, postgres mode: app vs minimal route (concurrency ${concurrency}, ${Math.round(duplicateShare * 100)} % redeliveries)`,
    );
    const minimalBuild = flags["skip-minimal"] ? undefined : await ensureMinimalBuild(log);
    if (minimalBuild?.built) log(`built the minimal route in ${minimalBuild.seconds.toFixed(0)} s`);
    results.postgres = await postgresScenario(
      build!,
      minimalBuild,
      adminUrl,
      Number(flags.count ?? 3_000),
      Number(flags.rounds ?? 3),
      violations,
    );
  }
  if (scenarios.embedded) {
    log(`\n== webhook throughput, embedded mode (PGlite)`);
    results.embedded = await embeddedScenario(build!, Number(flags.count ?? 3_000), violations);
  }
  if (scenarios.spend) {
    log(
      `\n== spend API, postgres mode: app vs minimal route (concurrency ${concurrency}, ${Math.round(duplicateShare * 100)} % retries)`,
    );
    const minimalBuild = await ensureMinimalBuild(log);
    if (minimalBuild.built) log(`built the minimal route in ${minimalBuild.seconds.toFixed(0)} s`);
    const rounds = Number(flags.rounds ?? 9);
    const spend = await runSpendScenarios({
      build: build!,
      minimalBuild,
      adminUrl,
      count: Number(flags.count ?? 3_000),
      rounds,
      warmup: warmupCount,
      concurrency,
      duplicateShare,
      keys: Number(flags.keys),
      appEnv,
      nodeArgs,
      keep: flags.keep,
      log,
    });
    results.spend = spend;
    violations.push(...spend.violations);
    printSpendSummary(spend, rounds, log);
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
  if (scenarios.spend)
    log(
      "spends and captures verified on both sides: every 200 one debit of its amount, every 402 short of credits, no overdraft, wallets = ledger = funding less answered spends, no credit invariant broken",
    );
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
