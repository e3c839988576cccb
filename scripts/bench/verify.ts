/**
 * After a run: every payment that was delivered is granted exactly once.
 * Returns the violations found (empty = all good).
 */
export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

export interface ExactlyOnceExpectation {
  label: string;
  /** Payment (external) ids that must each have exactly one purchase and one purchase ledger row. */
  payments: string[];
  /** External-id prefix of this run: no purchase outside `payments` may carry it. */
  prefix: string;
  /** Stripe event ids that must be in the log as processed (app runs only). */
  events?: string[];
}

export async function verifyExactlyOnce(query: Query, expect: ExactlyOnceExpectation): Promise<string[]> {
  const violations: string[] = [];
  const payments = [...new Set(expect.payments)];

  const [purchases] = await query<{ total: string; expected: string; missing: string; extra: string }>(
    `with want as (select unnest($1::text[]) as external_id),
          got as (select external_id, count(*) n from public.purchases where external_id like $2 || '%' group by external_id)
     select (select coalesce(sum(n), 0) from got)::text as total,
            (select count(*) from want)::text as expected,
            (select count(*) from want w where not exists (select 1 from got g where g.external_id = w.external_id))::text as missing,
            (select count(*) from got g where g.n > 1 or not exists (select 1 from want w where w.external_id = g.external_id))::text as extra`,
    [payments, expect.prefix],
  );
  if (purchases.total !== purchases.expected || purchases.missing !== "0" || purchases.extra !== "0") {
    violations.push(
      `${expect.label}: ${purchases.total} purchases for ${purchases.expected} payments (missing ${purchases.missing}, duplicated or unexpected ${purchases.extra})`,
    );
  }

  const [ledger] = await query<{ bad: string }>(
    `select count(*)::text as bad
       from public.purchases p
       left join (select purchase_id, count(*) as n from public.credit_ledger where kind = 'purchase' group by purchase_id) l
         on l.purchase_id = p.id
      where p.external_id like $1 || '%' and coalesce(l.n, 0) <> 1`,
    [expect.prefix],
  );
  if (ledger.bad !== "0") violations.push(`${expect.label}: ${ledger.bad} purchases without exactly one purchase ledger row`);

  if (expect.events) {
    const events = [...new Set(expect.events)];
    const [log] = await query<{ missing: string; unfinished: string; extra: string }>(
      `with want as (select unnest($1::text[]) as event_id)
       select (select count(*) from want w where not exists (
                 select 1 from public.webhook_events e where e.provider = 'stripe' and e.event_id = w.event_id))::text as missing,
              (select count(*) from public.webhook_events e join want w using (event_id)
                where e.provider = 'stripe' and (e.status <> 'processed' or e.attempts <> 1))::text as unfinished,
              (select count(*) from public.webhook_events e where e.provider = 'stripe' and e.external_id like $2 || '%'
                  and not exists (select 1 from want w where w.event_id = e.event_id))::text as extra`,
      [events, expect.prefix],
    );
    if (log.missing !== "0" || log.unfinished !== "0" || log.extra !== "0") {
      violations.push(
        `${expect.label}: event log has ${log.missing} missing, ${log.unfinished} not processed-once, ${log.extra} unexpected events`,
      );
    }
  }

  const off = await query<{ user_id: string }>(
    `select w.user_id from public.wallets w left join public.credit_ledger l on l.user_id = w.user_id
      group by w.user_id, w.balance having w.balance <> coalesce(sum(l.delta), 0)`,
  );
  if (off.length > 0) violations.push(`${expect.label}: ${off.length} wallets differ from their ledger sum`);
  return violations;
}
