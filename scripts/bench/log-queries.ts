/**
 * The admin event log at scale: 1,000,000 webhook_events seeded with
 * generate_series (secondary indexes dropped during the load and rebuilt after,
 * as a bulk load should), then each admin query shape timed through
 * list_webhook_events (median of repeated runs, target ≤ 50 ms) and its plan
 * printed with auto_explain, which shows the statement the function runs.
 */
import pg from "pg";
import { bulkLoad, createBenchDatabase } from "./database";
import { median } from "./stats";

export interface LogQueryTiming {
  name: string;
  medianMs: number;
  rows: number;
  plan: string;
}

export interface LogQueryResult {
  rows: number;
  seedSeconds: number;
  indexSeconds: number;
  queries: LogQueryTiming[];
  violations: string[];
}

const ROWS = 1_000_000;
const REPEATS = 15;
const TARGET_MS = 50;

const SEED_SQL = `
insert into public.webhook_events
  (provider, event_id, event_type, status, attempts, last_error, outcome, payload, email, external_id,
   received_at, processed_at, duration_ms, next_attempt_at)
select p.provider,
       'evt_seed_' || i,
       p.event_type,
       s.status,
       1,
       case when s.status = 'failed' then 'unknown package: gold' end,
       case when s.status = 'processed' then 'granted 100 credits to buyer' || (i % 50000) || '@example.com' end,
       jsonb_build_object('id', 'evt_seed_' || i, 'type', p.event_type, 'created', 1700000000 + i,
         'data', jsonb_build_object('object', jsonb_build_object('id', 'pi_seed_' || i, 'amount', 500,
           'currency', 'usd', 'receipt_email', 'buyer' || (i % 50000) || '@example.com'))),
       'buyer' || (i % 50000) || '@example.com',
       'pi_seed_' || i,
       now() - i * interval '3 seconds',
       now() - i * interval '3 seconds' + interval '40 milliseconds',
       5 + (i % 97),
       case when s.status = 'failed' then now() + (i % 3600) * interval '1 second' end
  from generate_series(1, ${ROWS}) i
  cross join lateral (select case when i % 50 = 0 then 'failed' when i % 20 = 1 then 'ignored' else 'processed' end as status) s
  cross join lateral (select
      -- tradingview is rare (0.1 %): the worst case for a provider filter
      case when i % 10 = 9 and i % 1000 <> 9 then 'stripe'
           else (array['stripe','stripe','stripe','stripe','stripe','stripe','paystack','fireblocks','invoices','tradingview'])[1 + i % 10] end as provider,
      case i % 10
        when 6 then 'charge.success'
        when 7 then 'TRANSACTION_STATUS_UPDATED'
        when 8 then 'invoice.updated'
        when 9 then case when i % 1000 = 9 then 'alert' else 'payment_intent.payment_failed' end
        else (array['checkout.session.completed','payment_intent.succeeded','charge.refunded','invoice.paid','customer.subscription.updated'])[1 + (i / 10) % 5]
      end as event_type) p`;

export async function runLogQueries(options: {
  adminUrl: string;
  keep: boolean;
  log: (line: string) => void;
}): Promise<LogQueryResult> {
  const { log } = options;
  const database = await createBenchDatabase(options.adminUrl);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const notices: string[] = [];
  client.on("notice", (notice) => notices.push(notice.message ?? ""));
  const violations: string[] = [];
  const results: LogQueryTiming[] = [];
  try {
    // Bulk load: drop the secondary indexes, insert, rebuild (the unique/primary keys stay).
    const { loadS: seedSeconds, indexS: indexSeconds, indexCount } = await bulkLoad(client, [[SEED_SQL, []]]);
    log(
      `seeded ${ROWS.toLocaleString("en")} events in ${seedSeconds.toFixed(1)} s, rebuilt ${indexCount} indexes + analyze in ${indexSeconds.toFixed(1)} s`,
    );

    const cursorAt = async (offset: number, where = "true", params: unknown[] = []) => {
      const row = (
        await client.query<{ received_at: Date; id: string }>(
          `select received_at, id from public.webhook_events where ${where} order by received_at desc, id desc offset ${offset} limit 1`,
          params,
        )
      ).rows[0];
      return { p_before_at: row.received_at.toISOString(), p_before_id: row.id };
    };
    const shapes: Array<{ name: string; args: Record<string, unknown> }> = [
      { name: "first page (no filter)", args: {} },
      { name: "status = failed", args: { p_status: "failed" } },
      { name: "provider + type", args: { p_provider: "stripe", p_type: "checkout.session.completed" } },
      { name: "provider only", args: { p_provider: "paystack" } },
      { name: "provider only (rare, 0.1 %)", args: { p_provider: "tradingview" } },
      { name: "type only", args: { p_type: "charge.refunded" } },
      { name: "text: e-mail", args: { p_q: "Buyer12345@example.com" } },
      { name: "text: external id", args: { p_q: "pi_seed_654321" } },
      { name: "text: event id", args: { p_q: "evt_seed_777" } },
      { name: "page 50 (keyset)", args: await cursorAt(49 * 50) },
      {
        name: "status = failed, page 50",
        args: { p_status: "failed", ...(await cursorAt(49 * 50, "status = 'failed'")) },
      },
    ];

    await client.query("load 'auto_explain'");
    for (const shape of shapes) {
      const names = Object.keys(shape.args);
      const sql = `select * from public.list_webhook_events(${names.map((n, i) => `${n} => $${i + 1}`).join(", ")}${names.length ? ", " : ""}p_limit => 50)`;
      const values = Object.values(shape.args);
      const timings: number[] = [];
      let rows = 0;
      for (let i = 0; i < REPEATS; i++) {
        const started = performance.now();
        rows = (await client.query(sql, values)).rowCount ?? 0;
        timings.push(performance.now() - started);
      }
      notices.length = 0;
      await client.query(
        "set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice; set client_min_messages = notice",
      );
      await client.query(sql, values);
      await client.query("set auto_explain.log_min_duration = -1; set client_min_messages = warning");
      const plan = notices.find((n) => n.includes("webhook_events e")) ?? notices.join("\n");
      const medianMs = Math.round(median(timings) * 100) / 100;
      log(`\n-- ${shape.name}: median ${medianMs} ms over ${REPEATS} runs, ${rows} rows`);
      log(plan.replace(/^duration: [\d.]+ ms\s+plan:\n/, "").replace(/^/gm, "   "));
      if (medianMs > TARGET_MS) violations.push(`log query "${shape.name}": median ${medianMs} ms > ${TARGET_MS} ms`);
      if (/Seq Scan on webhook_events/.test(plan)) violations.push(`log query "${shape.name}": sequential scan`);
      results.push({ name: shape.name, medianMs, rows, plan });
    }
    log("");
    for (const r of results) log(`${r.name.padEnd(28)} ${String(r.medianMs).padStart(7)} ms median  (${r.rows} rows)`);
    return { rows: ROWS, seedSeconds, indexSeconds, queries: results, violations };
  } finally {
    await client.end();
    if (options.keep) log(`kept database ${database.name}`);
    else await database.drop();
  }
}
