/**
 * npm run bench -- --spend: the spend API against the minimal route
 * (bench/minimal-route: the bearer key's SHA-256 and one pg call to a plain
 * plpgsql function, schema.sql), SPEC section 8. One fresh database, both
 * servers on it, four scenarios one after the other:
 *
 *   spend, 200 keys      POST /api/v1/spend, requests spread round-robin over 200 keys
 *   spend, 1 hot key     the same, every request on one key (one wallet row lock)
 *   capture, 200 keys    POST /api/v1/holds, then POST /api/v1/holds/{id}/capture of each
 *   capture, 1 hot key   the same on one key
 *
 * Each scenario: a warm-up of each server, then alternating measured rounds
 * (app, minimal, app, minimal, …) of the same pre-generated traffic (each side
 * has its own tables). A capture round first creates its holds (figures kept
 * but not compared), then measures the captures: the capture requests are the
 * figure. Per round: requests/s, p50/p99, server CPU ms per request (next
 * start and children, /proc) and Postgres CPU ms per request (the backends of
 * that server by application_name). Wallets are funded 1 % short of what the
 * traffic asks for, so the last requests meet an empty wallet at full
 * concurrency. Afterwards spend-verify.ts checks both sides.
 */
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import pg from "pg";
import type { Build, NextServer } from "../../tests/helpers/server";
import { freePort, startNextServer } from "../../tests/helpers/server";
import { cpuByPid, cpuDelta, treeCpuSeconds } from "./cpu";
import { createBenchDatabase, CREATE_USERS_SQL } from "./database";
import { MINIMAL_SCHEMA_SQL } from "./minimal-route";
import { runCaptureLoad, runSpendLoad, SPEND_PATHS, type Answer, type SpendLoadResult } from "./spend-load";
import {
  demandOf,
  fundingFor,
  generateCaptures,
  generateSpends,
  type Capture,
  type Spend,
  type Spender,
} from "./spend-traffic";
import { appTables, checkCaptures, checkSpends, checkWallets, minimalTables, type SpendTables } from "./spend-verify";
import { median, type LatencySummary } from "./stats";
import type { Query } from "./verify";

export interface SpendScenarioOptions {
  build: Build;
  minimalBuild: Build;
  adminUrl: string;
  /** Requests per measured round and target (captures: holds created, and as many captures with retries). */
  count: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  duplicateShare: number;
  /** Keys of the spread scenarios (the hot ones have one). */
  keys: number;
  appEnv: (extra: Record<string, string>) => Record<string, string>;
  nodeArgs: (target: "app" | "minimal") => string[];
  keep: boolean;
  log: (line: string) => void;
}

type TargetLabel = "app" | "minimal";
type Kind = "spend" | "capture";

interface Target {
  label: TargetLabel;
  server: NextServer;
  applicationName: string;
  tables: SpendTables;
}

interface Scenario {
  name: string;
  kind: Kind;
  spenders: Spender[];
  /** Warm-up (index 0) and the rounds' traffic: spends, or the holds a capture round starts with. */
  traffic: Spend[][];
  funded: Map<string, number>;
}

export interface SpendRoundFigures {
  scenario: string;
  target: TargetLabel;
  round: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
  generatorCpuMsPerRequest: number;
  /** Capture rounds: the hold creation that came before the measured captures. */
  holds?: { requestsPerSecond: number; p99: number; statuses: Record<string, number> };
  load: number[];
}

export interface SpendScenarioSummary {
  scenario: string;
  measured: "spend requests" | "capture requests";
  app: TargetSummary;
  minimal: TargetSummary;
  /** Median of the rounds' app/minimal ratios (each app round against the minimal round after it). */
  ratio: number;
  ratios: number[];
}

interface TargetSummary {
  requestsPerSecond: number;
  p99: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number;
}

export interface SpendScenarioResult {
  scenarios: SpendScenarioSummary[];
  rounds: SpendRoundFigures[];
  keys: number;
  violations: string[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const loadNow = () => os.loadavg().map((n) => round2(n));
const hashKey = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");
const withApplicationName = (url: string, name: string) => {
  const u = new URL(url);
  u.searchParams.set("application_name", name);
  return u.toString();
};

/** What a measured request run gives, with the CPU it cost the server and its Postgres backends. */
async function measured<T>(
  target: Target,
  query: Query,
  run: () => Promise<SpendLoadResult<T>>,
): Promise<{ result: SpendLoadResult<T>; server: number; postgres: number; generator: number }> {
  const backends = async () =>
    (
      await query<{ pid: number }>(
        "select pid from pg_stat_activity where datname = current_database() and application_name = $1",
        [target.applicationName],
      )
    ).map((r) => r.pid);
  const postgresBefore = cpuByPid(await backends());
  const serverBefore = treeCpuSeconds(target.server.pid);
  const generatorBefore = process.cpuUsage();
  const result = await run();
  const generator = process.cpuUsage(generatorBefore);
  const serverSeconds = treeCpuSeconds(target.server.pid) - serverBefore;
  const postgresSeconds = cpuDelta(postgresBefore, cpuByPid(await backends()));
  const perRequest = (ms: number) => round2(ms / Math.max(result.requests, 1));
  return {
    result,
    server: perRequest(serverSeconds * 1000),
    postgres: perRequest(postgresSeconds * 1000),
    generator: perRequest((generator.user + generator.system) / 1000),
  };
}

/** Holds answered 201/200 with their id, once per hold: what the capture phase captures. */
function heldHolds(answers: Answer<Spend>[]): Array<{ spender: Spender; holdId: string; amount: number }> {
  const holds = new Map<string, { spender: Spender; holdId: string; amount: number }>();
  for (const a of answers) {
    const id = a.body.hold?.id;
    if ((a.status === 201 || a.status === 200) && id && !holds.has(id))
      holds.set(id, { spender: a.item.spender, holdId: id, amount: a.item.amount });
  }
  return [...holds.values()];
}

function summarize(rounds: SpendRoundFigures[], label: TargetLabel): TargetSummary {
  const rs = rounds.filter((r) => r.target === label);
  return {
    requestsPerSecond: median(rs.map((r) => r.requestsPerSecond)),
    p99: median(rs.map((r) => r.latency.p99)),
    serverCpuMsPerRequest: median(rs.map((r) => r.serverCpuMsPerRequest)),
    postgresCpuMsPerRequest: median(rs.map((r) => r.postgresCpuMsPerRequest)),
  };
}

export async function runSpendScenarios(o: SpendScenarioOptions): Promise<SpendScenarioResult> {
  const database = await createBenchDatabase(o.adminUrl);
  o.log(`database ${database.name} created and migrated`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query: Query = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
  const servers: NextServer[] = [];
  try {
    await client.query(MINIMAL_SCHEMA_SQL());
    const tag = randomBytes(3).toString("hex");

    // Users and keys: one account per key, its own in each scenario (a scenario's funding is its own traffic's).
    const scenarios: Scenario[] = [];
    for (const [i, [name, kind, keys]] of (
      [
        [`spend, ${o.keys} keys`, "spend", o.keys],
        ["spend, 1 hot key", "spend", 1],
        [`capture, ${o.keys} keys`, "capture", o.keys],
        ["capture, 1 hot key", "capture", 1],
      ] as const
    ).entries()) {
      const userIds = (await query<{ id: string }>(CREATE_USERS_SQL, [`spend${i}-${tag}`, keys])).map((r) => r.id);
      const spenders: Spender[] = [];
      for (const userId of userIds) {
        const [{ r }] = await query<{ r: { key: string } }>("select public.create_api_key($1, 'bench') as r", [userId]);
        spenders.push({ userId, key: r.key });
      }
      const traffic = Array.from({ length: o.rounds + 1 }, (_, round) =>
        generateSpends({
          count: round === 0 ? o.warmup : o.count,
          duplicateShare: o.duplicateShare,
          spenders,
          runTag: `s${i}${tag}${round === 0 ? "w" : `r${round}`}`,
          kind: kind === "spend" ? "spend" : "hold",
        }),
      );
      const demand = demandOf(traffic.flat());
      const funded = new Map(spenders.map((s) => [s.userId, fundingFor(demand.get(s.userId) ?? 0)]));
      for (const s of spenders) {
        const credits = funded.get(s.userId)!;
        if (credits > 0)
          await query("select public.grant_credits_for_purchase('stripe', $1, $2, null, $3, 0, 'usd')", [
            `pi_bench_fund_${tag}_${s.userId}`,
            s.userId,
            credits,
          ]);
        await query("select bench_minimal.fund($1, $2, $3)", [hashKey(s.key), s.userId, credits]);
      }
      scenarios.push({ name, kind, spenders, traffic, funded });
    }
    o.log(
      `accounts: ${o.keys} + 1 (hot) for spends, the same for captures, one API key each, funded 1 % short of their traffic (in full below 100 credits)`,
    );

    const app: Omit<Target, "server"> = {
      label: "app",
      applicationName: "credits-bench-spend-app",
      tables: appTables(query),
    };
    const appServer = await startNextServer({
      build: o.build,
      port: await freePort(3500, 3509),
      env: o.appEnv({
        DATABASE_URL: withApplicationName(database.url, app.applicationName),
        API_RATE_LIMIT_PER_MINUTE: "1000000",
      }),
      nodeArgs: o.nodeArgs("app"),
    });
    servers.push(appServer);
    const minimal: Omit<Target, "server"> = {
      label: "minimal",
      applicationName: "credits-bench-spend-minimal",
      tables: minimalTables(query),
    };
    const minimalEnv: Record<string, string> = {
      DATABASE_URL: withApplicationName(database.url, minimal.applicationName),
    };
    const pool = o.appEnv({}).PG_POOL_MAX;
    if (pool) minimalEnv.PG_POOL_MAX = pool;
    const minimalServer = await startNextServer({
      build: o.minimalBuild,
      port: await freePort(appServer.port + 1, 3509),
      env: minimalEnv,
      readyPath: SPEND_PATHS.minimal.spend,
      nodeArgs: o.nodeArgs("minimal"),
    });
    servers.push(minimalServer);
    const targets: Target[] = [
      { ...app, server: appServer },
      { ...minimal, server: minimalServer },
    ];
    o.log(`app on ${appServer.url} (rate limit raised out of the way), minimal route on ${minimalServer.url}`);

    const violations: string[] = [];
    const rounds: SpendRoundFigures[] = [];
    const summaries: SpendScenarioSummary[] = [];
    const answers = new Map<string, { spends: Answer<Spend>[]; captures: Answer<Capture>[] }>();
    const answersOf = (s: Scenario, t: Target) => {
      const key = `${s.name}/${t.label}`;
      if (!answers.has(key)) answers.set(key, { spends: [], captures: [] });
      return answers.get(key)!;
    };

    /** One run of a scenario's traffic against one target; round 0 is the warm-up (not measured). */
    const runOnce = async (s: Scenario, t: Target, round: number): Promise<SpendRoundFigures> => {
      const paths = SPEND_PATHS[t.label];
      const traffic = s.traffic[round];
      const kept = answersOf(s, t);
      const load = loadNow();
      const which = `${s.name}, ${t.label} ${round === 0 ? "warm-up" : `round ${round}`}`;
      /** Every request sent once and answered (statuses are judged by the checks afterwards). */
      const complete = (run: SpendLoadResult<unknown>, sent: number, what: string) => {
        if (run.requests !== sent || run.built !== sent || run.errors || run.timeouts) {
          violations.push(
            `${which}: ${run.requests} answers to ${run.built} ${what} built for ${sent}, errors ${run.errors}, timeouts ${run.timeouts}`,
          );
        }
      };
      let holds: SpendRoundFigures["holds"];
      let figures;
      if (s.kind === "spend") {
        figures = await measured(t, query, () =>
          runSpendLoad({ url: t.server.url, path: paths.spend, spends: traffic, connections: o.concurrency }),
        );
        complete(figures.result, traffic.length, "spends");
        kept.spends.push(...figures.result.answers);
      } else {
        const held = await runSpendLoad({
          url: t.server.url,
          path: paths.hold,
          spends: traffic,
          connections: o.concurrency,
        });
        complete(held, traffic.length, "holds");
        kept.spends.push(...held.answers);
        holds = { requestsPerSecond: held.perSecond, p99: held.latency.p99, statuses: held.statuses };
        const captures = generateCaptures(heldHolds(held.answers), o.duplicateShare);
        figures = await measured(t, query, () =>
          runCaptureLoad({ url: t.server.url, pathOf: paths.capture, captures, connections: o.concurrency }),
        );
        complete(figures.result, captures.length, "captures");
        kept.captures.push(...figures.result.answers);
      }
      const { result } = figures;
      return {
        scenario: s.name,
        target: t.label,
        round,
        requestsPerSecond: result.perSecond,
        latency: result.latency,
        statuses: result.statuses,
        serverCpuMsPerRequest: figures.server,
        postgresCpuMsPerRequest: figures.postgres,
        generatorCpuMsPerRequest: figures.generator,
        ...(holds ? { holds } : {}),
        load,
      };
    };

    for (const s of scenarios) {
      o.log(`\n-- ${s.name}: ${s.kind === "spend" ? "spends" : "holds, then their captures (measured)"}`);
      for (const t of targets) await runOnce(s, t, 0);
      o.log(`warmed up (${o.warmup} requests each); load ${loadNow().join(" ")}`);
      const ofScenario: SpendRoundFigures[] = [];
      for (let round = 1; round <= o.rounds; round++) {
        for (const t of targets) {
          const r = await runOnce(s, t, round);
          ofScenario.push(r);
          o.log(
            `round ${round} ${t.label.padEnd(8)} ${String(r.requestsPerSecond).padStart(5)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   ` +
              `server CPU ${r.serverCpuMsPerRequest} ms/req   Postgres CPU ${r.postgresCpuMsPerRequest} ms/req   generator ${r.generatorCpuMsPerRequest} ms/req   ` +
              `load ${r.load.join(" ")}   statuses ${JSON.stringify(r.statuses)}` +
              (r.holds ? `   (holds before it: ${r.holds.requestsPerSecond} req/s, p99 ${r.holds.p99} ms)` : ""),
          );
        }
      }
      rounds.push(...ofScenario);
      const ratios = ofScenario
        .filter((r) => r.target === "app")
        .flatMap((a) => {
          const m = ofScenario.find((r) => r.target === "minimal" && r.round === a.round);
          return m ? [round2(a.requestsPerSecond / m.requestsPerSecond)] : [];
        });
      summaries.push({
        scenario: s.name,
        measured: s.kind === "spend" ? "spend requests" : "capture requests",
        app: summarize(ofScenario, "app"),
        minimal: summarize(ofScenario, "minimal"),
        ratio: median(ratios),
        ratios,
      });
    }
    for (const server of servers.splice(0)) await server.stop();

    for (const s of scenarios) {
      const userIds = s.spenders.map((x) => x.userId);
      for (const t of targets) {
        const label = `${s.name}, ${t.label}`;
        const got = answersOf(s, t);
        const checked =
          s.kind === "spend"
            ? checkSpends(label, got.spends, await t.tables.debits("spend", userIds))
            : checkCaptures(
                label,
                got.spends,
                got.captures,
                await t.tables.holds(userIds),
                await t.tables.debits("capture", userIds),
              );
        violations.push(...checked.violations);
        violations.push(...checkWallets(label, await t.tables.wallets(userIds), s.funded, checked.spent));
      }
    }
    violations.push(...(await appTables(query).invariants("spend bench (app)")));
    return { scenarios: summaries, rounds, keys: o.keys, violations };
  } catch (error) {
    for (const s of servers) o.log(`server output:\n${s.output().slice(-3000)}`);
    throw error;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await client.end();
    if (o.keep) o.log(`kept database ${database.name}`);
    else await database.drop();
  }
}

/** a/b, or "n/a" when b read as zero (CPU is counted in 10 ms ticks: too few requests to see it). */
const times = (a: number, b: number) => (b > 0 ? String(round2(a / b)) : "n/a");

/** The summary table: one line per scenario and target, the ratio and the p99 target beside it. */
export function printSpendSummary(result: SpendScenarioResult, rounds: number, log: (line: string) => void): void {
  log("");
  log(
    `${"scenario (measured)".padEnd(40)} ${"".padEnd(8)} ${"req/s".padStart(7)} ${"p99 ms".padStart(8)} ${"server CPU ms/req".padStart(18)} ${"Postgres CPU ms/req".padStart(20)}   (medians of ${rounds} rounds)`,
  );
  for (const s of result.scenarios) {
    for (const label of ["app", "minimal"] as const) {
      const t = s[label];
      log(
        `${(label === "app" ? `${s.scenario} (${s.measured})` : "").padEnd(40)} ${label.padEnd(8)} ${String(t.requestsPerSecond).padStart(7)} ${String(t.p99).padStart(8)} ${String(t.serverCpuMsPerRequest).padStart(18)} ${String(t.postgresCpuMsPerRequest).padStart(20)}`,
      );
    }
    const met = s.ratio >= 0.9 && s.app.p99 <= 50;
    log(
      `${"".padEnd(40)} app/minimal ${s.ratio} (rounds ${s.ratios.join(", ")}); CPU per request app/minimal: server ${times(s.app.serverCpuMsPerRequest, s.minimal.serverCpuMsPerRequest)}, ` +
        `Postgres ${times(s.app.postgresCpuMsPerRequest, s.minimal.postgresCpuMsPerRequest)}; target ≥ 0.9 and p99 ≤ 50 ms: ${met ? "met" : "not met"}`,
    );
  }
}
