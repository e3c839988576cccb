/**
 * Where ingest_webhook_event spends Postgres time (diagnosis for
 * docs/performance.md): N signed-delivery-shaped calls, one connection, on a
 * fresh database of a server that has pg_stat_statements preloaded
 * (shared_preload_libraries; track = all shows the statements inside the
 * functions). Prints per-statement totals and the backend's CPU per call.
 *
 *   DATABASE_URL=postgres://…/postgres npx tsx scripts/bench/sql-profile.ts [calls] [setup.sql | --minimal] [--connections N]
 *
 * setup.sql (optional) runs after the migrations: an A/B variant to measure
 * (drop an index, replace a function), never committed as such. --minimal
 * profiles the minimal route's bench_minimal.ingest (bench/minimal-route/schema.sql)
 * with the same deliveries instead: the same writes, done plainly.
 * --connections N (default 1) sends the calls over N connections at once and
 * sums the CPU of their backends: whether concurrency (locks, WAL, hot index
 * pages) adds to the cost per call, as it would under `npm run bench`.
 */
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { envForScript } from "../../lib/config-check";
import { cpuByPid, cpuDelta } from "./cpu";
import { createBenchDatabase, CREATE_USERS_SQL, DEFAULT_ADMIN_URL } from "./database";
import { generateTraffic } from "./deliveries";
import type { Delivery } from "./deliveries";
import { ingestCalls, INGEST } from "./ingest-ceiling";
import { MINIMAL_SCHEMA_SQL } from "./minimal-route";

const MINIMAL = {
  name: "bench_minimal_ingest",
  text: "select bench_minimal.ingest($1, $2, $3, $4, $5, $6, $7, $8) as result",
};
/** What the minimal route sends for each delivery (bench/minimal-route/app/minimal/webhook/route.ts). */
const minimalCalls = (deliveries: Delivery[]): unknown[][] =>
  deliveries.map((d) => {
    const event = JSON.parse(d.body) as { id: string; type: string; data: { object: Record<string, unknown> } };
    const session = event.data.object as {
      payment_intent: string;
      client_reference_id: string;
      metadata: { package_id: string };
      amount_total: number;
      currency: string;
    };
    return [
      event.id,
      event.type,
      d.body,
      session.payment_intent,
      session.client_reference_id,
      session.metadata.package_id,
      session.amount_total,
      session.currency,
    ];
  });

const args = process.argv.slice(2);
const connectionsFlag = args.indexOf("--connections");
const connections = connectionsFlag >= 0 ? Number(args.splice(connectionsFlag, 2)[1]) : 1;
const calls = Number(args[0] ?? 3000);
const variant = args[1];
if (!Number.isInteger(connections) || connections < 1) throw new Error("--connections takes a whole number ≥ 1");

async function main() {
  const database = await createBenchDatabase(envForScript().DATABASE_URL || DEFAULT_ADMIN_URL);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query("create extension if not exists pg_stat_statements");
    const minimal = variant === "--minimal";
    if (minimal) await client.query(MINIMAL_SCHEMA_SQL());
    else if (variant) await client.query(fs.readFileSync(variant, "utf8"));
    const [statement, callsOf] = minimal ? [MINIMAL, minimalCalls] : [INGEST, ingestCalls];
    const users = (await client.query<{ id: string }>(CREATE_USERS_SQL, ["profile", 1000])).rows.map((r) => r.id);
    const secret = `whsec_${randomBytes(8).toString("hex")}`;
    const warm = callsOf(generateTraffic({ count: 500, duplicateShare: 0.2, secret, userIds: users, runTag: "pw" }));
    const run = callsOf(generateTraffic({ count: calls, duplicateShare: 0.2, secret, userIds: users, runTag: "pr" }));
    const workers = [client];
    for (let i = 1; i < connections; i++) {
      const worker = new pg.Client({ connectionString: database.url });
      await worker.connect();
      workers.push(worker);
    }
    /** Every call once, each worker taking the next one as it finishes its last (a closed loop per connection). */
    const send = async (list: unknown[][]) => {
      let next = 0;
      await Promise.all(
        workers.map(async (worker) => {
          while (next < list.length) await worker.query({ ...statement, values: list[next++] });
        }),
      );
    };
    await send(warm);
    const pids = await Promise.all(
      workers.map(async (w) => (await w.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0].pid),
    );
    await client.query("select pg_stat_statements_reset()");
    await client.query("select pg_stat_reset()");
    const cpuBefore = cpuByPid(pids);
    const started = performance.now();
    await send(run);
    const wall = performance.now() - started;
    const cpu = cpuDelta(cpuBefore, cpuByPid(pids)) * 1000;
    await Promise.all(workers.slice(1).map((w) => w.end()));
    const on = connections === 1 ? "one connection" : `${connections} connections`;
    console.log(
      `${calls} calls (20 % redeliveries) on ${on}: ${Math.round((calls / wall) * 1000)} calls/s, ${(cpu / calls).toFixed(3)} ms backend CPU per call`,
    );
    const top = await client.query(
      `select calls, round(total_exec_time::numeric, 1) as total_ms, round((total_exec_time / calls)::numeric * 1000, 1) as us_per_call,
              shared_blks_hit + shared_blks_read + shared_blks_dirtied as blks, wal_records, regexp_replace(left(query, 110), '\\s+', ' ', 'g') as query
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit 25`,
    );
    console.table(top.rows);
    const fns = await client.query(
      `select funcname, calls, round(total_time::numeric, 1) as total_ms, round(self_time::numeric, 1) as self_ms
         from pg_stat_user_functions order by total_time desc limit 12`,
    );
    console.table(fns.rows);
  } finally {
    await client.end();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
