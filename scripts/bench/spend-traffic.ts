/**
 * The spend benchmark's traffic (npm run bench -- --spend), generated before
 * the clock starts and sent unchanged to the app and to the minimal route
 * (each has its own tables, so the same Idempotency-Keys are new to both).
 * Spends and holds of 1–10 credits, spread round-robin over the keys; a share
 * of requests are retries of an earlier one (same key, Idempotency-Key and
 * amount), placed after their original so some race it and some come later.
 * Captures are built from the holds a run answered: each hold captured once
 * (1 to its amount), plus retries.
 */
export interface Spender {
  userId: string;
  /** The API key (ck_…): the app has it from create_api_key, the minimal route its SHA-256. */
  key: string;
}

/** A spend or a hold: POST /api/v1/spend or /api/v1/holds with an Idempotency-Key. */
export interface Spend {
  spender: Spender;
  idempotencyKey: string;
  amount: number;
  body: string;
  retry: boolean;
}

export interface Capture {
  spender: Spender;
  holdId: string;
  amount: number;
  body: string;
  retry: boolean;
}

/** How long the benchmark's holds live: far longer than a run. */
export const HOLD_SECONDS = 3600;

const randomInt = (n: number) => Math.floor(Math.random() * n);

/** The originals, each followed somewhere later by `duplicateShare` of retries (copies with retry: true). */
export function withRetries<T extends { retry: boolean }>(originals: T[], duplicateShare: number): T[] {
  const unique = originals.length;
  if (unique === 0) return [];
  const duplicates = Math.round((unique / (1 - duplicateShare)) * duplicateShare);
  const slots: T[][] = originals.map((s) => [s]);
  for (let i = 0; i < duplicates; i++) {
    const original = randomInt(unique);
    const later = Math.min(unique - 1, original + (Math.random() < 0.25 ? randomInt(8) : randomInt(unique - original)));
    slots[later].push({ ...originals[original], retry: true });
  }
  return slots.flat();
}

/**
 * `count` requests (retries included) over `spenders`: spends (`kind: "spend"`, body {amount, reason}) or
 * holds (`kind: "hold"`, body {amount, reason, expires_in_seconds}). Reasons carry the run tag.
 */
export function generateSpends(options: {
  count: number;
  duplicateShare: number;
  spenders: Spender[];
  runTag: string;
  kind?: "spend" | "hold";
}): Spend[] {
  const unique = Math.max(1, Math.round(options.count * (1 - options.duplicateShare)));
  const originals: Spend[] = [];
  for (let i = 0; i < unique; i++) {
    const spender = options.spenders[i % options.spenders.length];
    const amount = 1 + randomInt(10);
    const reason = `bench ${options.runTag} #${i}`;
    originals.push({
      spender,
      idempotencyKey: `${options.runTag}-${i}`,
      amount,
      body: JSON.stringify(
        options.kind === "hold" ? { amount, reason, expires_in_seconds: HOLD_SECONDS } : { amount, reason },
      ),
      retry: false,
    });
  }
  return withRetries(originals, options.duplicateShare);
}

/** One capture of each hold (1 to its amount: most are partial), plus retries. */
export function generateCaptures(
  holds: Array<{ spender: Spender; holdId: string; amount: number }>,
  duplicateShare: number,
): Capture[] {
  return withRetries(
    holds.map((h) => {
      const amount = 1 + randomInt(h.amount);
      return { spender: h.spender, holdId: h.holdId, amount, body: JSON.stringify({ amount }), retry: false };
    }),
    duplicateShare,
  );
}

/** Credits each user's unique spends (or holds) ask for in total. */
export function demandOf(spends: Spend[]): Map<string, number> {
  const seen = new Set<string>();
  const demand = new Map<string, number>();
  for (const s of spends) {
    const id = `${s.spender.userId}:${s.idempotencyKey}`;
    if (seen.has(id)) continue;
    seen.add(id);
    demand.set(s.spender.userId, (demand.get(s.spender.userId) ?? 0) + s.amount);
  }
  return demand;
}

/**
 * What a wallet is funded with: 1 % short of what its traffic asks for (rounded down: a wallet asked for
 * less than 100 credits is funded in full), so the last requests of a run meet an empty wallet under full
 * concurrency and must be refused, never overdrawn.
 */
export const fundingFor = (demand: number) => demand - Math.floor(demand / 100);
