/**
 * After a run: every payment that was delivered is granted exactly once, for
 * the right amount, to the right owner. The unique keys already forbid a
 * second purchase row; what they cannot forbid is a grant of the wrong size, to
 * the wrong user, or an extra ledger row (a `claim` beside the `purchase`), so
 * each of those is checked against what the deliveries said.
 * Returns the violations found (empty = all good).
 */
export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

/** One signed delivery as sent (scripts/bench/deliveries.ts Delivery fits). */
export interface SentDelivery {
  paymentId: string;
  eventId: string;
  /** The raw `checkout.session.completed` body: owner, pack and amount are read from it. */
  body: string;
}

export interface ExactlyOnceExpectation {
  label: string;
  /** Everything sent in this run, redeliveries included: each payment must have exactly one purchase and one ledger row. */
  deliveries: SentDelivery[];
  /** External-id prefix of this run: no purchase outside `deliveries` may carry it. */
  prefix: string;
  /** Stripe event ids that must be in the log as processed (app runs only). */
  events?: string[];
  /**
   * Each user's ledger sum before the run (see ledgerSums). When given, every
   * listed user's sum must have grown by exactly the credits their deliveries
   * buy; without it, only the rows tied to this run's purchases are summed.
   */
  balancesBefore?: Record<string, bigint>;
}

interface ExpectedPayment {
  external_id: string;
  user_id: string;
  package_id: string;
  amount_minor: number;
  currency: string;
}

/** The grant each payment should cause, read from the first delivery of it. */
function expectedPayments(deliveries: SentDelivery[]): ExpectedPayment[] {
  const byPayment = new Map<string, ExpectedPayment>();
  for (const d of deliveries) {
    if (byPayment.has(d.paymentId)) continue;
    const session = (JSON.parse(d.body) as { data: { object: Record<string, unknown> } }).data.object;
    byPayment.set(d.paymentId, {
      external_id: d.paymentId,
      user_id: String(session.client_reference_id),
      package_id: String((session.metadata as { package_id?: unknown }).package_id),
      amount_minor: Number(session.amount_total),
      currency: String(session.currency),
    });
  }
  return [...byPayment.values()];
}

/** Each user's sum of ledger deltas now (bigint, exact), for balancesBefore. */
export async function ledgerSums(query: Query, userIds: string[]): Promise<Record<string, bigint>> {
  const rows = await query<{ user_id: string; total: string }>(
    `select u.id::text as user_id, coalesce(sum(l.delta), 0)::text as total
       from unnest($1::uuid[]) u(id) left join public.credit_ledger l on l.user_id = u.id
      group by u.id`,
    [userIds],
  );
  return Object.fromEntries(rows.map((r) => [r.user_id, BigInt(r.total)]));
}

export async function verifyExactlyOnce(query: Query, expect: ExactlyOnceExpectation): Promise<string[]> {
  const violations: string[] = [];
  const payments = expectedPayments(expect.deliveries);
  const wanted = JSON.stringify(payments);

  const [purchases] = await query<{ total: string; expected: string; missing: string; extra: string }>(
    `with want as (select external_id from jsonb_to_recordset($1::jsonb) as w(external_id text)),
          got as (select external_id, count(*) n from public.purchases where external_id like $2 || '%' group by external_id)
     select (select coalesce(sum(n), 0) from got)::text as total,
            (select count(*) from want)::text as expected,
            (select count(*) from want w where not exists (select 1 from got g where g.external_id = w.external_id))::text as missing,
            (select count(*) from got g where g.n > 1 or not exists (select 1 from want w where w.external_id = g.external_id))::text as extra`,
    [wanted, expect.prefix],
  );
  if (purchases.total !== purchases.expected || purchases.missing !== "0" || purchases.extra !== "0") {
    violations.push(
      `${expect.label}: ${purchases.total} purchases for ${purchases.expected} payments (missing ${purchases.missing}, duplicated or unexpected ${purchases.extra})`,
    );
  }

  // Each purchase: the buyer, pack, credits, amount and status the delivery named.
  const wrong = await query<{ external_id: string; problem: string }>(
    `with want as (select * from jsonb_to_recordset($1::jsonb)
                     as w(external_id text, user_id uuid, package_id text, amount_minor bigint, currency text))
     select p.external_id,
            concat_ws(', ',
              case when p.user_id is distinct from w.user_id then 'owner ' || coalesce(p.user_id::text, 'none') || ' instead of ' || w.user_id end,
              case when p.package_id is distinct from w.package_id then 'pack ' || coalesce(p.package_id, 'none') || ' instead of ' || w.package_id end,
              case when p.credits is distinct from k.credits then p.credits || ' credits instead of ' || coalesce(k.credits::text, 'unknown pack') end,
              case when p.amount_minor is distinct from w.amount_minor or lower(p.currency) is distinct from lower(w.currency)
                   then 'paid ' || p.amount_minor || ' ' || p.currency || ' instead of ' || w.amount_minor || ' ' || w.currency end,
              case when p.status <> 'completed' then 'status ' || p.status end) as problem
       from want w
       join public.purchases p on p.provider = 'stripe' and p.external_id = w.external_id
       left join public.credit_packages k on k.id = w.package_id
      where p.user_id is distinct from w.user_id or p.package_id is distinct from w.package_id
         or p.credits is distinct from k.credits or p.amount_minor is distinct from w.amount_minor
         or lower(p.currency) is distinct from lower(w.currency) or p.status <> 'completed'
      order by p.external_id
      limit 5`,
    [wanted],
  );
  if (wrong.length > 0) {
    violations.push(
      `${expect.label}: purchases that differ from their delivery: ${wrong.map((r) => `${r.external_id} (${r.problem})`).join("; ")}`,
    );
  }

  // Each purchase has exactly one ledger row: kind purchase, the pack's credits, to the owner. Nothing else (no claim, no second grant).
  const [ledger] = await query<{ bad: string; sample: string | null }>(
    `with run as (
       select p.id, p.external_id, p.user_id, k.credits
         from public.purchases p
         left join public.credit_packages k on k.id = p.package_id
        where p.provider = 'stripe' and p.external_id like $1 || '%'),
     rows as (
       select r.external_id, r.user_id, r.credits,
              count(l.id) as n,
              count(l.id) filter (where l.kind = 'purchase' and l.user_id = r.user_id and l.delta = r.credits) as right_rows,
              string_agg(l.kind || ' ' || l.delta || ' to ' || l.user_id, ' + ') as got
         from run r left join public.credit_ledger l on l.purchase_id = r.id
        group by r.external_id, r.user_id, r.credits)
     select count(*)::text as bad,
            min(external_id || ': ' || coalesce(got, 'no ledger row') || ' (want purchase ' || coalesce(credits::text, '?') || ' to ' || coalesce(user_id::text, 'nobody') || ')') as sample
       from rows where n <> 1 or right_rows <> 1`,
    [expect.prefix],
  );
  if (ledger.bad !== "0") {
    violations.push(
      `${expect.label}: ${ledger.bad} purchases without exactly one right purchase ledger row, e.g. ${ledger.sample}`,
    );
  }

  // Per user: the credits the deliveries buy, against the ledger.
  const perUser = new Map<string, bigint>();
  const packCredits = new Map(
    (await query<{ id: string; credits: string }>("select id, credits::text from public.credit_packages")).map((r) => [
      r.id,
      BigInt(r.credits),
    ]),
  );
  for (const p of payments)
    perUser.set(p.user_id, (perUser.get(p.user_id) ?? 0n) + (packCredits.get(p.package_id) ?? 0n));
  if (expect.balancesBefore) {
    const users = [...new Set([...Object.keys(expect.balancesBefore), ...perUser.keys()])];
    const now = await ledgerSums(query, users);
    const off = users.filter((u) => now[u] - (expect.balancesBefore![u] ?? 0n) !== (perUser.get(u) ?? 0n));
    if (off.length > 0) {
      const u = off[0];
      violations.push(
        `${expect.label}: ${off.length} users' ledger sums changed by other than the credits they bought, e.g. ${u}: ${now[u] - (expect.balancesBefore[u] ?? 0n)} instead of ${perUser.get(u) ?? 0n}`,
      );
    }
  } else {
    const rows = await query<{ user_id: string; total: string }>(
      `select l.user_id::text, sum(l.delta)::text as total
         from public.credit_ledger l join public.purchases p on p.id = l.purchase_id
        where p.provider = 'stripe' and p.external_id like $1 || '%'
        group by l.user_id`,
      [expect.prefix],
    );
    const got = new Map(rows.map((r) => [r.user_id, BigInt(r.total)]));
    const off = [...new Set([...got.keys(), ...perUser.keys()])].filter(
      (u) => (got.get(u) ?? 0n) !== (perUser.get(u) ?? 0n),
    );
    if (off.length > 0)
      violations.push(`${expect.label}: ${off.length} users were credited other than the credits they bought`);
  }

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
  violations.push(...(await creditInvariantProblems(query, expect.label)));
  return violations;
}

/**
 * Every breach of the credit invariants the database knows (public.credit_invariant_violations): wallet =
 * ledger = lots' remaining - debt, no debt beside credits, held = active holds, each lot and ledger row
 * equal to its lot movements, each capture equal to its ledger row. At most 20 listed, then a count.
 */
export async function creditInvariantProblems(query: Query, label: string): Promise<string[]> {
  const rows = await query<{ user_id: string; problem: string }>(
    "select user_id::text, problem from public.credit_invariant_violations()",
  );
  const listed = rows.slice(0, 20).map((r) => `${label}: user ${r.user_id}: ${r.problem}`);
  if (rows.length > 20) listed.push(`${label}: ${rows.length - 20} more credit invariant violations`);
  return listed;
}
