/**
 * npm run measure:scale [-- --rows 1000000 --with-payload 1000000 --grow-to 10000000 --keep]
 *
 * What the event log costs at scale (docs/scaling.md): seeds a fresh database
 * with --rows events, the newest --with-payload of them carrying a real Stripe
 * payload (tests/fixtures, 3.8 KB of JSON, a unique id per row) and the older
 * ones pruned by retention, measures disk (heap, TOAST, each index) and the
 * queries the app runs (admin log pages, search, metrics, the sweep's claims,
 * retention batches, a delivery's insert); with --grow-to it then adds older,
 * pruned events up to that many rows and measures again. Bulk loads drop the
 * secondary indexes and rebuild them, as a restore would.
 *
 * DATABASE_URL names the server (its database is not touched); the measured
 * database is created beside it and dropped unless --keep.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { envForScript } from "../lib/config-check";
import { migrate } from "../lib/db/migrate";
import { withPostgresClient } from "../lib/db/postgres";
import { bulkLoad } from "./bench/database";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const ROWS = Number(arg("rows", "1000000"));
const GROW_TO = Number(arg("grow-to", "0"));
const WITH_PAYLOAD = Math.min(Number(arg("with-payload", String(ROWS))), ROWS);
const PREFIX = arg("db-prefix", "credits_bench_scale");
const KEEP = argv.includes("--keep");
const REPEATS = 9;

const log = (line: string) => console.log(line);

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Rows i in [from, to]: event i was received i × 2 s ago (1M rows ≈ 23 days; 10M ≈ 231 days). */
function seedSql(from: number, to: number, withPayload: boolean): string {
  return `
insert into public.webhook_events
  (provider, event_id, event_type, status, attempts, last_error, outcome, payload, payload_pruned_at, email, external_id,
   received_at, processed_at, duration_ms, next_attempt_at)
select 'stripe', 'evt_scale_' || i, 'checkout.session.completed', s.status, 1,
       case when s.status = 'failed' then 'unknown package: gold' end,
       case when s.status = 'processed' then 'granted 500 credits to buyer' || (i % 50000) || '@example.com (balance 500)' end,
       ${withPayload ? `jsonb_set(jsonb_set($1::jsonb, '{id}', to_jsonb('evt_scale_' || i)), '{data,object,payment_intent}', to_jsonb('pi_scale_' || i))` : "null"},
       ${withPayload ? "null" : "now()"},
       'buyer' || (i % 50000) || '@example.com', 'pi_scale_' || i,
       date_trunc('milliseconds', now() - i * interval '2 seconds'),
       now() - i * interval '2 seconds' + interval '30 milliseconds',
       5 + (i % 97),
       null
  from generate_series(${from}, ${to}) i
  cross join lateral (select case when i % 50 = 0 then 'failed' when i % 20 = 1 then 'ignored' else 'processed' end as status) s`;
}

async function timed(client: pg.Client, sql: string, params: unknown[] = []): Promise<{ ms: number; rows: number }> {
  const timings: number[] = [];
  let rows = 0;
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    rows = (await client.query(sql, params)).rowCount ?? 0;
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  return { ms: Math.round(timings[Math.floor(REPEATS / 2)] * 100) / 100, rows };
}

async function sizes(client: pg.Client) {
  const rows = (
    await client.query<{ name: string; bytes: string }>(
      `select 'heap' as name, pg_relation_size('public.webhook_events') as bytes
       union all select 'toast', coalesce(pg_total_relation_size(reltoastrelid), 0) from pg_class where oid = 'public.webhook_events'::regclass
       union all select i.relname, pg_relation_size(i.oid)
         from pg_index x join pg_class i on i.oid = x.indexrelid where x.indrelid = 'public.webhook_events'::regclass
       union all select 'total', pg_total_relation_size('public.webhook_events')`,
    )
  ).rows;
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
}

async function measureQueries(client: pg.Client, rows: number) {
  const recent = (
    await client.query<{ id: string; received_at: Date }>(
      "select id, received_at from public.webhook_events order by received_at desc, id desc offset 2450 limit 1",
    )
  ).rows[0];
  const someIds = Array.from({ length: 100 }, (_, k) => `evt_scale_${1 + Math.floor((k * rows) / 100)}`);
  const cutoff = new Date(Date.now() - 90 * 86_400_000).toISOString();
  const shapes: Array<[string, string, unknown[]]> = [
    ["admin log: first page", "select * from public.list_webhook_events(p_limit => 50)", []],
    [
      "admin log: page 50 (keyset)",
      "select * from public.list_webhook_events(p_before_at => $1, p_before_id => $2, p_limit => 50)",
      [recent.received_at, recent.id],
    ],
    ["admin log: status = failed", "select * from public.list_webhook_events(p_status => 'failed', p_limit => 50)", []],
    [
      "admin log: search e-mail",
      "select * from public.list_webhook_events(p_q => 'buyer4242@example.com', p_limit => 50)",
      [],
    ],
    [
      "admin log: search event id",
      `select * from public.list_webhook_events(p_q => 'evt_scale_${Math.floor(rows / 3)}', p_limit => 50)`,
      [],
    ],
    [
      "event detail",
      `select public.get_webhook_event(id) from public.webhook_events where event_id = 'evt_scale_${Math.floor(rows / 2)}'`,
      [],
    ],
    ["metrics: last hour (alerts)", "select public.webhook_metrics(now() - interval '1 hour', 3600)", []],
    ["metrics: last 24 h (page, /api/metrics)", "select public.webhook_metrics(now() - interval '24 hours', 3600)", []],
    ["metrics: last 7 days", "select public.webhook_metrics(now() - interval '7 days', 21600)", []],
    ["retry sweep claim (none due)", "select * from public.claim_due_webhook_events(50, 12)", []],
    ["reconcile: 100 known ids", "select public.known_webhook_event_ids('stripe', $1::text[])", [someIds]],
    ["retention: prune batch (nothing due)", "select public.prune_webhook_payloads($1::timestamptz, 500)", [cutoff]],
  ];
  const results: Array<{ name: string; ms: number; rows: number }> = [];
  for (const [name, sql, params] of shapes) {
    const r = await timed(client, sql, params);
    results.push({ name, ...r });
    log(`  ${name.padEnd(42)} ${String(r.ms).padStart(9)} ms`);
  }
  // A delivery at this size: the insert into every index, in a transaction rolled back.
  const fixture = fs.readFileSync(
    path.join(process.cwd(), "tests/fixtures/stripe-events/checkout_session_completed.json"),
    "utf8",
  );
  const insertTimings: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    await client.query("begin");
    const started = performance.now();
    await client.query(
      `select public.ingest_webhook_event('stripe', $1, 'checkout.session.completed', $2::jsonb, 'none', '{"outcome":"measured"}'::jsonb)`,
      [`evt_measure_${randomBytes(6).toString("hex")}`, fixture],
    );
    insertTimings.push(performance.now() - started);
    await client.query("rollback");
  }
  insertTimings.sort((a, b) => a - b);
  const ingestMs = Math.round(insertTimings[Math.floor(REPEATS / 2)] * 100) / 100;
  results.push({ name: "delivery: ingest_webhook_event (record only)", ms: ingestMs, rows: 1 });
  log(`  ${"delivery: ingest_webhook_event (record only)".padEnd(42)} ${String(ingestMs).padStart(9)} ms`);
  return results;
}

async function report(client: pg.Client, label: string) {
  const count = Number((await client.query<{ n: string }>("select count(*) n from public.webhook_events")).rows[0].n);
  const withPayload = Number(
    (await client.query<{ n: string }>("select count(*) n from public.webhook_events where payload is not null"))
      .rows[0].n,
  );
  const s = await sizes(client);
  log(`\n== ${label}, ${withPayload.toLocaleString("en")} with payload`);
  for (const [name, bytes] of Object.entries(s))
    log(`  ${name.padEnd(42)} ${(bytes / 2 ** 20).toFixed(1).padStart(9)} MiB`);
  const queries = await measureQueries(client, count);
  return { label, count, withPayload, sizes: s, queries };
}

async function main(): Promise<void> {
  const server = envForScript().DATABASE_URL;
  if (!server) throw new Error("DATABASE_URL is not set (any database on the server; a new one is created beside it)");
  const name = `${PREFIX}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = withDatabaseName(server, "postgres");
  await withPostgresClient(admin, (c) => c.query(`create database ${name}`));
  const url = withDatabaseName(server, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const results: unknown[] = [];
  try {
    await migrate({
      exec: async (sql) => void (await client.query(sql)),
      query: async (sql, params) => (await client.query(sql, params)).rows,
    });
    const fixture = fs.readFileSync(
      path.join(process.cwd(), "tests/fixtures/stripe-events/checkout_session_completed.json"),
      "utf8",
    );
    const steps: Array<[string, unknown[]]> = [];
    if (WITH_PAYLOAD > 0) steps.push([seedSql(1, WITH_PAYLOAD, true), [fixture]]);
    if (ROWS > WITH_PAYLOAD) steps.push([seedSql(WITH_PAYLOAD + 1, ROWS, false), []]);
    const first = await bulkLoad(client, steps);
    log(
      `seeded ${ROWS.toLocaleString("en")} events (${WITH_PAYLOAD.toLocaleString("en")} with payload) in ${first.loadS.toFixed(1)} s, indexes + analyze ${first.indexS.toFixed(1)} s`,
    );
    results.push({ ...(await report(client, `${ROWS.toLocaleString("en")} events`)), load: first });
    if (GROW_TO > ROWS) {
      const grow = await bulkLoad(client, [[seedSql(ROWS + 1, GROW_TO, false), []]]);
      log(
        `\nadded ${(GROW_TO - ROWS).toLocaleString("en")} older events with pruned payloads in ${grow.loadS.toFixed(1)} s, indexes + analyze ${grow.indexS.toFixed(1)} s`,
      );
      results.push({ ...(await report(client, `${GROW_TO.toLocaleString("en")} events`)), load: grow });
    }
    const out = path.join(process.cwd(), "bench/results", `scale-${new Date().toISOString().slice(0, 10)}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    log(`\nwrote ${out}`);
  } finally {
    await client.end();
    if (KEEP) log(`kept database ${name}`);
    else await withPostgresClient(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

main().catch((error: Error) => {
  console.error(`measure-scale failed: ${error.message}`);
  process.exit(1);
});
