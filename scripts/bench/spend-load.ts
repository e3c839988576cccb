/**
 * Sends pre-generated spends through autocannon at fixed concurrency, one
 * request per spend, and records each answer against the spend that caused it
 * (one request in flight per connection, so the connection's context says which).
 */
import autocannon from "autocannon";
import type { Spend } from "./spend-traffic";
import { summarize, type LatencySummary } from "./stats";

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
  const { spends } = options;
  let cursor = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const answers: SpendAnswer[] = [];
  const started = performance.now();
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        amount: spends.length,
        timeout: 30,
        requests: [
          {
            method: "POST",
            path: "/api/v1/spend",
            setupRequest: (request, context) => {
              const spend = spends[Math.min(cursor++, spends.length - 1)];
              (context as { spend?: Spend }).spend = spend;
              return {
                ...request,
                method: "POST",
                path: "/api/v1/spend",
                headers: {
                  "content-type": "application/json",
                  authorization: `Bearer ${spend.spender.key}`,
                  "idempotency-key": spend.idempotencyKey,
                },
                body: spend.body,
              };
            },
            onResponse: (status, body, context) => {
              const spend = (context as { spend?: Spend }).spend!;
              let parsed: { outcome?: string; balance?: number } = {};
              try {
                parsed = JSON.parse(body);
              } catch {
                // counted by status below
              }
              answers.push({ spend, status, outcome: parsed.outcome ?? null, balance: parsed.balance ?? null });
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  const seconds = (lastResponseAt - started) / 1000;
  return {
    requests: latencies.length,
    seconds: Math.round(seconds * 1000) / 1000,
    spendsPerSecond: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
    statuses,
    answers,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
