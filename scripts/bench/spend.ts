/**
 * npm run bench -- --spend: the public spend API under load. A fresh
 * database, accounts funded through grant_credits_for_purchase, one API key
 * each (create_api_key), a production server, then spends at fixed
 * concurrency through POST /api/v1/spend (warm-up, measured run), verified
 * exactly-once afterwards (spend-verify.ts). The per-key rate limit is raised
 * out of the way (it is still counted on every request).
 */
import pg from "pg";
import type { Build, NextServer } from "../../tests/helpers/server";
import { freePort, startNextServer } from "../../tests/helpers/server";
import { createBenchDatabase, CREATE_USERS_SQL } from "./database";
import { runSpendLoad, type SpendLoadResult } from "./spend-load";
import { generateSpends, type Spender } from "./spend-traffic";
import { verifySpends, verifyWallets } from "./spend-verify";
import type { Query } from "./verify";

export interface SpendScenarioOptions {
  build: Build;
  adminUrl: string;
  count: number;
  warmup: number;
  concurrency: number;
  duplicateShare: number;
  accounts: number;
  appEnv: (extra: Record<string, string>) => Record<string, string>;
  nodeArgs: string[];
  keep: boolean;
  log: (line: string) => void;
}

export interface SpendScenarioResult {
  run: Omit<SpendLoadResult, "answers">;
  warmup: { spendsPerSecond: number; requests: number };
  outcomes: Record<string, number>;
  accounts: number;
  violations: string[];
}

const RICH = 1_000_000_000;
const TIGHT = 25;

function outcomesOf(result: SpendLoadResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of result.answers) {
    const key = a.status === 200 ? (a.outcome ?? "?") : String(a.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export async function runSpendScenario(o: SpendScenarioOptions): Promise<SpendScenarioResult> {
  const database = await createBenchDatabase(o.adminUrl);
  o.log(`database ${database.name} created and migrated`);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query: Query = async (sql, params) => (await client.query(sql, params as unknown[])).rows;
  let server: NextServer | undefined;
  try {
    const userIds = (await query<{ id: string }>(CREATE_USERS_SQL, ["spend", o.accounts])).map((r) => r.id);
    const spenders: Spender[] = [];
    for (const [i, userId] of userIds.entries()) {
      const tight = i % 4 === 3;
      const funded = tight ? TIGHT : RICH;
      await query("select public.grant_credits_for_purchase('stripe', $1, $2, null, $3, 0, 'usd')", [
        `pi_spend_fund_${i}`,
        userId,
        funded,
      ]);
      const [{ r }] = await query<{ r: { key: string } }>("select public.create_api_key($1, 'bench') as r", [userId]);
      spenders.push({ userId, key: r.key, funded, tight });
    }
    o.log(
      `${spenders.length} accounts with one API key each (${spenders.filter((s) => s.tight).length} tight wallets of ${TIGHT} credits)`,
    );

    server = await startNextServer({
      build: o.build,
      port: await freePort(3500, 3509),
      env: o.appEnv({ DATABASE_URL: database.url, API_RATE_LIMIT_PER_MINUTE: "1000000" }),
      nodeArgs: o.nodeArgs,
    });
    const tag = Date.now().toString(36);
    const warmupSpends = generateSpends({
      count: o.warmup,
      duplicateShare: o.duplicateShare,
      spenders,
      runTag: `w${tag}`,
    });
    const spends = generateSpends({ count: o.count, duplicateShare: o.duplicateShare, spenders, runTag: `r${tag}` });
    const warmup = await runSpendLoad({ url: server.url, spends: warmupSpends, connections: o.concurrency });
    const run = await runSpendLoad({ url: server.url, spends, connections: o.concurrency });
    await server.stop();
    server = undefined;

    const violations: string[] = [];
    for (const [label, result, runTag, sent] of [
      ["spend warm-up", warmup, `w${tag}`, warmupSpends.length],
      ["spend run", run, `r${tag}`, spends.length],
    ] as const) {
      if (result.requests !== sent || result.errors || result.timeouts) {
        violations.push(
          `${label}: ${result.requests} answers for ${sent} spends, errors ${result.errors}, timeouts ${result.timeouts}`,
        );
      }
      violations.push(...(await verifySpends(query, label, runTag, spenders, result.answers)));
    }
    const offered = new Map<string, number>();
    for (const s of new Map([...warmupSpends, ...spends].map((x) => [x.idempotencyKey, x])).values()) {
      offered.set(s.spender.userId, (offered.get(s.spender.userId) ?? 0) + 1);
    }
    violations.push(...(await verifyWallets(query, spenders, offered)));
    const { answers: _answers, ...summary } = run;
    return {
      run: summary,
      warmup: { spendsPerSecond: warmup.spendsPerSecond, requests: warmup.requests },
      outcomes: outcomesOf(run),
      accounts: spenders.length,
      violations,
    };
  } catch (error) {
    if (server) o.log(`server output:\n${server.output().slice(-3000)}`);
    throw error;
  } finally {
    await server?.stop();
    await client.end();
    if (o.keep) o.log(`kept database ${database.name}`);
    else await database.drop();
  }
}
