/**
 * Exactly-once for the spend benchmark, from the answers and the database,
 * for the app and the minimal route alike (each read through its own tables):
 * - every 200 to a spend is exactly one debit of its amount (retries of it
 *   answer `duplicate`, one answer says `spent`); a spend never accepted has
 *   no debit; no debit exists that no request asked for;
 * - a 402 said fewer credits were available than the request asked for;
 * - every hold answered 201/200 is one hold row of its amount; every capture
 *   answered 200 is one `captured` answer, one debit of the captured amount,
 *   and the hold marked captured with it;
 * - no overdraft: no wallet below zero or holding more than it has, every
 *   wallet equal to its ledger and to its funding less what the answers said
 *   was spent; on the app, public.credit_invariant_violations() empty.
 * The check* functions are pure (tests/unit/bench-spend-verify.test.ts); the
 * tables are read by appTables / minimalTables.
 */
import type { Answer } from "./spend-load";
import type { Capture, Spend } from "./spend-traffic";
import { creditInvariantProblems, type Query } from "./verify";

/** The debits of one request: a spend (`<user id>:<Idempotency-Key>`) or a capture (the hold id). */
export interface Debit {
  rows: number;
  amount: number;
}

export interface HoldRow {
  user_id: string;
  idempotency_key: string;
  id: string;
  amount: number;
  status: string;
  captured: number | null;
}

export interface WalletRow {
  user_id: string;
  balance: number;
  held: number;
  /** The sum of the user's ledger rows. */
  ledger: number;
}

/** What the checks read from one side's tables, for the users of a scenario. */
export interface SpendTables {
  debits(kind: "spend" | "capture", userIds: string[]): Promise<Map<string, Debit>>;
  holds(userIds: string[]): Promise<HoldRow[]>;
  wallets(userIds: string[]): Promise<WalletRow[]>;
  /** Breaches of the side's own invariants beyond these checks. */
  invariants(label: string): Promise<string[]>;
}

interface DebitRow {
  id: string;
  rows: number;
  amount: string;
}
interface RawHold {
  user_id: string;
  idempotency_key: string;
  id: string;
  amount: string;
  status: string;
  captured: string | null;
}
interface RawWallet {
  user_id: string;
  balance: string;
  held: string;
  ledger: string;
}

function tables(query: Query, t: { ledger: string; holds: string; wallets: string; spendId: string }): SpendTables {
  return {
    async debits(kind, userIds) {
      const rows = await query<DebitRow>(
        `select ${kind === "spend" ? t.spendId : "reference"} as id, count(*)::int as rows, (-sum(delta))::text as amount
           from ${t.ledger} where kind = $1 and user_id = any($2::uuid[]) group by 1`,
        [kind, userIds],
      );
      return new Map(rows.map((r) => [r.id, { rows: Number(r.rows), amount: Number(r.amount) }]));
    },
    async holds(userIds) {
      const rows = await query<RawHold>(
        `select user_id::text, idempotency_key, id::text, amount::text, status, captured::text
           from ${t.holds} where user_id = any($1::uuid[])`,
        [userIds],
      );
      return rows.map((r) => ({
        ...r,
        amount: Number(r.amount),
        captured: r.captured === null ? null : Number(r.captured),
      }));
    },
    async wallets(userIds) {
      const rows = await query<RawWallet>(
        `select w.user_id::text, w.balance::text, w.held::text,
                (select coalesce(sum(l.delta), 0) from ${t.ledger} l where l.user_id = w.user_id)::text as ledger
           from ${t.wallets} w where w.user_id = any($1::uuid[])`,
        [userIds],
      );
      return rows.map((r) => ({
        user_id: r.user_id,
        balance: Number(r.balance),
        held: Number(r.held),
        ledger: Number(r.ledger),
      }));
    },
    invariants: async () => [],
  };
}

/** The app's tables: spends are ledger rows of kind spend (reference `<user id>:<key>`), captures of kind capture (reference the hold id). */
export function appTables(query: Query): SpendTables {
  return {
    ...tables(query, {
      ledger: "public.credit_ledger",
      holds: "public.credit_holds",
      wallets: "public.wallets",
      spendId: "reference",
    }),
    invariants: (label) => creditInvariantProblems(query, label),
  };
}

/** The minimal route's plain tables (bench/minimal-route/schema.sql). */
export function minimalTables(query: Query): SpendTables {
  return tables(query, {
    ledger: "bench_minimal.credit_ledger",
    holds: "bench_minimal.holds",
    wallets: "bench_minimal.credit_wallets",
    spendId: "user_id::text || ':' || reference",
  });
}

const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

/** At most this many violations of one kind are listed, then a count. */
function capped(lines: string[], label: string, max = 10): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `${label}: ${lines.length - max} more like these`];
}

/** A 402 must have seen fewer available credits than asked for. */
function refusalProblem(label: string, id: string, amount: number, body: Answer<unknown>["body"]): string | null {
  const available = body.available ?? body.balance;
  if (typeof available !== "number") return `${label}: ${id} answered 402 without the available balance`;
  return available >= amount ? `${label}: ${id} refused ${amount} with ${available} available` : null;
}

/**
 * Spends (every answer of a scenario, all rounds) against the ledger's spend debits of its users.
 * Returns the violations and what each user was debited according to the answers.
 */
export function checkSpends(
  label: string,
  answers: Answer<Spend>[],
  debits: Map<string, Debit>,
): { violations: string[]; spent: Map<string, number> } {
  const problems: string[] = [];
  const byId = new Map<string, { spend: Spend; accepted: boolean; spentAnswers: number }>();
  for (const a of answers) {
    const id = `${a.item.spender.userId}:${a.item.idempotencyKey}`;
    const entry = byId.get(id) ?? { spend: a.item, accepted: false, spentAnswers: 0 };
    byId.set(id, entry);
    if (a.status === 200 && (a.body.outcome === "spent" || a.body.outcome === "duplicate")) {
      entry.accepted = true;
      if (a.body.outcome === "spent") entry.spentAnswers++;
    } else if (a.status === 402) {
      const problem = refusalProblem(label, id, a.item.amount, a.body);
      if (problem) problems.push(problem);
    } else {
      problems.push(`${label}: ${id} answered ${a.status} ${JSON.stringify(a.body)}`);
    }
    if (typeof a.body.balance === "number" && a.body.balance < 0)
      problems.push(`${label}: ${id} answered a negative balance ${a.body.balance}`);
  }
  const spent = new Map<string, number>();
  for (const [id, e] of byId) {
    const debit = debits.get(id);
    if (e.accepted) {
      if (e.spentAnswers !== 1) problems.push(`${label}: ${id} answered "spent" ${e.spentAnswers} times`);
      if (!debit || debit.rows !== 1 || debit.amount !== e.spend.amount) {
        problems.push(
          `${label}: ${id} accepted (${e.spend.amount}) but debited ${debit ? `${debit.rows} rows of ${debit.amount}` : "nothing"}`,
        );
      }
      add(spent, e.spend.spender.userId, e.spend.amount);
    } else if (debit) {
      problems.push(`${label}: ${id} was refused but debited ${debit.amount}`);
    }
  }
  for (const [id, d] of debits)
    if (!byId.has(id)) problems.push(`${label}: debit ${id} of ${d.amount} that no request asked for`);
  return { violations: capped(problems, label), spent };
}

/**
 * Holds and their captures (every answer of a scenario) against the hold rows and capture debits of its
 * users. Every hold the traffic created must be captured. Returns the violations and each user's captured credits.
 */
export function checkCaptures(
  label: string,
  holdAnswers: Answer<Spend>[],
  captureAnswers: Answer<Capture>[],
  holds: HoldRow[],
  debits: Map<string, Debit>,
): { violations: string[]; spent: Map<string, number> } {
  const problems: string[] = [];
  const rows = new Map(holds.map((h) => [`${h.user_id}:${h.idempotency_key}`, h]));
  const asked = new Map<string, { hold: Spend; ids: Set<string>; accepted: boolean; heldAnswers: number }>();
  for (const a of holdAnswers) {
    const id = `${a.item.spender.userId}:${a.item.idempotencyKey}`;
    const entry = asked.get(id) ?? { hold: a.item, ids: new Set<string>(), accepted: false, heldAnswers: 0 };
    asked.set(id, entry);
    if ((a.status === 201 && a.body.outcome === "held") || (a.status === 200 && a.body.outcome === "duplicate")) {
      entry.accepted = true;
      if (a.body.outcome === "held") entry.heldAnswers++;
      if (a.body.hold?.id) entry.ids.add(a.body.hold.id);
    } else if (a.status === 402) {
      const problem = refusalProblem(label, `hold ${id}`, a.item.amount, a.body);
      if (problem) problems.push(problem);
    } else {
      problems.push(`${label}: hold ${id} answered ${a.status} ${JSON.stringify(a.body)}`);
    }
  }
  for (const [id, e] of asked) {
    const row = rows.get(id);
    if (e.accepted) {
      if (e.heldAnswers !== 1) problems.push(`${label}: hold ${id} answered "held" ${e.heldAnswers} times`);
      if (!row || row.amount !== e.hold.amount || e.ids.size !== 1 || !e.ids.has(row.id)) {
        problems.push(
          `${label}: hold ${id} of ${e.hold.amount} answered as ${[...e.ids].join(", ") || "no id"}, row ${row ? `${row.id} of ${row.amount}` : "missing"}`,
        );
      }
    } else if (row) {
      problems.push(`${label}: hold ${id} was refused but exists (${row.id})`);
    }
  }
  for (const [id, row] of rows) if (!asked.has(id)) problems.push(`${label}: hold ${id} (${row.id}) nobody asked for`);

  const captures = new Map<string, { capture: Capture; capturedAnswers: number }>();
  for (const a of captureAnswers) {
    const entry = captures.get(a.item.holdId) ?? { capture: a.item, capturedAnswers: 0 };
    captures.set(a.item.holdId, entry);
    if (a.status === 200 && a.body.outcome === "captured") entry.capturedAnswers++;
    else if (!(a.status === 200 && a.body.outcome === "duplicate"))
      problems.push(`${label}: capture of ${a.item.holdId} answered ${a.status} ${JSON.stringify(a.body)}`);
  }
  const spent = new Map<string, number>();
  const byId = new Map(holds.map((h) => [h.id, h]));
  for (const [holdId, e] of captures) {
    const debit = debits.get(holdId);
    const row = byId.get(holdId);
    if (e.capturedAnswers !== 1)
      problems.push(`${label}: hold ${holdId} answered "captured" ${e.capturedAnswers} times`);
    if (!debit || debit.rows !== 1 || debit.amount !== e.capture.amount) {
      problems.push(
        `${label}: capture of ${e.capture.amount} from ${holdId} debited ${debit ? `${debit.rows} rows of ${debit.amount}` : "nothing"}`,
      );
    }
    if (!row || row.status !== "captured" || row.captured !== e.capture.amount)
      problems.push(
        `${label}: hold ${holdId} is ${row ? `${row.status} (${row.captured})` : "missing"} after capturing ${e.capture.amount}`,
      );
    add(spent, e.capture.spender.userId, e.capture.amount);
  }
  for (const h of holds)
    if (!captures.has(h.id)) problems.push(`${label}: hold ${h.id} (${h.status}) was never captured`);
  for (const [id, d] of debits)
    if (!captures.has(id)) problems.push(`${label}: capture debit ${id} of ${d.amount} that no request asked for`);
  return { violations: capped(problems, label), spent };
}

/**
 * No overdraft, nothing left held, each wallet equal to its ledger and to its funding less what the
 * answers said was spent.
 */
export function checkWallets(
  label: string,
  wallets: WalletRow[],
  funded: Map<string, number>,
  spent: Map<string, number>,
): string[] {
  const problems: string[] = [];
  const seen = new Set(wallets.map((w) => w.user_id));
  for (const userId of funded.keys()) if (!seen.has(userId)) problems.push(`${label}: no wallet for ${userId}`);
  for (const w of wallets) {
    const expected = (funded.get(w.user_id) ?? 0) - (spent.get(w.user_id) ?? 0);
    if (w.balance < 0) problems.push(`${label}: overdraft: wallet ${w.user_id} at ${w.balance}`);
    if (w.held !== 0 || w.balance - w.held < 0)
      problems.push(`${label}: wallet ${w.user_id} still holds ${w.held} of ${w.balance}`);
    if (w.balance !== w.ledger) problems.push(`${label}: wallet ${w.user_id} at ${w.balance}, its ledger ${w.ledger}`);
    if (w.balance !== expected)
      problems.push(`${label}: wallet ${w.user_id} at ${w.balance}, funded less answered spends ${expected}`);
  }
  return capped(problems, label);
}
