/**
 * Exactly-once for spends, from the answers and the database: each
 * Idempotency-Key spent at most once (exactly once on rich wallets, where every
 * spend fits), each user's spend ledger equal to what the answers say was
 * spent, tight wallets spent down to exactly zero and never below, and every
 * wallet equal to its ledger.
 */
import type { SpendAnswer } from "./spend-load";
import type { Spender } from "./spend-traffic";
import { creditInvariantProblems, type Query } from "./verify";

export async function verifySpends(
  query: Query,
  label: string,
  runTag: string,
  spenders: Spender[],
  answers: SpendAnswer[],
): Promise<string[]> {
  const violations: string[] = [];
  const spentAnswers = new Map<string, number>();
  const uniqueKeys = new Map<string, { userId: string; amount: number; tight: boolean }>();
  for (const a of answers) {
    const id = `${a.spend.spender.userId}:${a.spend.idempotencyKey}`;
    uniqueKeys.set(id, { userId: a.spend.spender.userId, amount: a.spend.amount, tight: a.spend.spender.tight });
    const expected = a.spend.spender.tight ? [200, 402] : [200];
    if (!expected.includes(a.status)) violations.push(`${label}: ${id} answered ${a.status}`);
    if (a.status === 200 && a.outcome === "spent") spentAnswers.set(id, (spentAnswers.get(id) ?? 0) + 1);
    if (a.balance !== null && a.balance < 0)
      violations.push(`${label}: ${id} answered a negative balance ${a.balance}`);
  }
  for (const [id, n] of spentAnswers) if (n > 1) violations.push(`${label}: ${id} answered "spent" ${n} times`);
  for (const [id, k] of uniqueKeys)
    if (!k.tight && !spentAnswers.has(id)) violations.push(`${label}: rich ${id} never answered "spent"`);

  const rows = await query<{ user_id: string; spends: string; spent: string; keys: string }>(
    `select user_id, count(*)::text as spends, coalesce(-sum(delta), 0)::text as spent, count(distinct reference)::text as keys
       from public.credit_ledger where kind = 'spend' and reason like $1 group by user_id`,
    [`bench ${runTag} #%`],
  );
  const ledger = new Map(rows.map((r) => [r.user_id, r]));
  for (const s of spenders) {
    const answeredSpent = [...spentAnswers.keys()].filter((id) => id.startsWith(`${s.userId}:`));
    const expectedCredits = answeredSpent.reduce((sum, id) => sum + uniqueKeys.get(id)!.amount, 0);
    const row = ledger.get(s.userId);
    const got = { spends: Number(row?.spends ?? 0), spent: Number(row?.spent ?? 0), keys: Number(row?.keys ?? 0) };
    if (got.spends !== answeredSpent.length || got.keys !== got.spends || got.spent !== expectedCredits) {
      violations.push(
        `${label}: user ${s.userId} ledger ${JSON.stringify(got)} vs answers ${answeredSpent.length} spends of ${expectedCredits}`,
      );
    }
  }
  return violations;
}

/**
 * After every run: no negative wallet, every wallet equal to its ledger (and to its lots, with every
 * other credit invariant), and
 * each tight wallet left with exactly what its unique spends (1 credit each,
 * `offered` of them) could not take: max(funded - offered, 0).
 */
export async function verifyWallets(
  query: Query,
  spenders: Spender[],
  offered: Map<string, number>,
): Promise<string[]> {
  const violations: string[] = [];
  const negative = await query<{ user_id: string; balance: string }>(
    "select user_id, balance::text from public.wallets where balance < 0",
  );
  for (const w of negative) violations.push(`wallet ${w.user_id} is negative: ${w.balance}`);
  const off = await query<{ user_id: string }>(
    `select w.user_id from public.wallets w left join public.credit_ledger l on l.user_id = w.user_id
      group by w.user_id, w.balance having w.balance <> coalesce(sum(l.delta), 0)`,
  );
  for (const w of off) violations.push(`wallet ${w.user_id} differs from its ledger`);
  violations.push(...(await creditInvariantProblems(query, "spend")));
  const tight = spenders.filter((s) => s.tight);
  const balances = await query<{ user_id: string; balance: string }>(
    "select user_id, balance::text from public.wallets where user_id = any($1::uuid[])",
    [tight.map((s) => s.userId)],
  );
  for (const w of balances) {
    const s = tight.find((x) => x.userId === w.user_id)!;
    const expected = Math.max(s.funded - (offered.get(s.userId) ?? 0), 0);
    if (Number(w.balance) !== expected)
      violations.push(`tight wallet ${w.user_id}: balance ${w.balance}, expected ${expected}`);
  }
  return violations;
}
