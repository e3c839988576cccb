/**
 * Sends pre-generated spends through the bench's autocannon runner
 * (./http-load.ts) at fixed concurrency, one request per spend, and records
 * each answer against the spend that caused it.
 */
import { runLoad } from "./http-load";
import type { Spend } from "./spend-traffic";
import type { LatencySummary } from "./stats";

export interface SpendAnswer {
  spend: Spend;
  status: number;
  outcome: string | null;
  balance: number | null;
}

export interface SpendLoadResult {
  requests: number;
  seconds: number;
  spendsPerSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  answers: SpendAnswer[];
  errors: number;
  timeouts: number;
}

export async function runSpendLoad(options: {
  url: string;
  spends: Spend[];
  connections: number;
}): Promise<SpendLoadResult> {
  const answers: SpendAnswer[] = [];
  const {
    perSecond,
    built: _built,
    ...result
  } = await runLoad({
    url: options.url,
    path: "/api/v1/spend",
    items: options.spends,
    connections: options.connections,
    headersOf: (spend) => ({ authorization: `Bearer ${spend.spender.key}`, "idempotency-key": spend.idempotencyKey }),
    bodyOf: (spend) => spend.body,
    onAnswer: (spend, status, body) => {
      let parsed: { outcome?: string; balance?: number } = {};
      try {
        parsed = JSON.parse(body);
      } catch {
        // counted by status
      }
      answers.push({ spend, status, outcome: parsed.outcome ?? null, balance: parsed.balance ?? null });
    },
  });
  return { ...result, spendsPerSecond: perSecond, answers };
}
