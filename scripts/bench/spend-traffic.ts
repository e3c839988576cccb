/**
 * The spend benchmark's traffic: API keys of funded accounts spending through
 * POST /api/v1/spend. Most wallets are rich (every spend fits); a quarter are
 * tight (amount 1 each, more unique spends than credits), so the run also
 * hammers the "never overdraw" path at the same time. A share of requests are
 * retries of an earlier spend (same key, Idempotency-Key and amount), placed
 * after their original so some race it and some come later.
 */
export interface Spender {
  userId: string;
  key: string;
  funded: number;
  tight: boolean;
}

export interface Spend {
  spender: Spender;
  idempotencyKey: string;
  amount: number;
  body: string;
  retry: boolean;
}

const randomInt = (n: number) => Math.floor(Math.random() * n);

export function generateSpends(options: {
  count: number;
  duplicateShare: number;
  spenders: Spender[];
  runTag: string;
}): Spend[] {
  const duplicates = Math.round(options.count * options.duplicateShare);
  const unique = options.count - duplicates;
  const originals: Spend[] = [];
  for (let i = 0; i < unique; i++) {
    const spender = options.spenders[i % options.spenders.length];
    const amount = spender.tight ? 1 : 1 + randomInt(10);
    originals.push({
      spender,
      idempotencyKey: `${options.runTag}-${i}`,
      amount,
      body: JSON.stringify({ amount, reason: `bench ${options.runTag} #${i}` }),
      retry: false,
    });
  }
  const slots: Spend[][] = originals.map((s) => [s]);
  for (let i = 0; i < duplicates; i++) {
    const original = randomInt(unique);
    const later = Math.min(unique - 1, original + (Math.random() < 0.25 ? randomInt(8) : randomInt(unique - original)));
    slots[later].push({ ...originals[original], retry: true });
  }
  return slots.flat();
}
