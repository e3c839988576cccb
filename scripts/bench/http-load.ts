/**
 * Sends pre-generated requests through autocannon at fixed concurrency: one
 * request per item, in order, each with its own headers and body (setupRequest
 * takes the next item from a shared cursor; with `amount` set autocannon
 * builds exactly one request per send). runHttpLoad sends signed webhook
 * deliveries; scripts/bench/spend-load.ts sends spends through the same runner.
 */
import autocannon from "autocannon";
import type { Delivery } from "./deliveries";
import { summarize, type LatencySummary } from "./stats";

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Requests built (the cursor): equals the item count when every item was sent once. */
  built: number;
}

/** POSTs each item once to `path`; `onAnswer` sees every answer with the item that caused it. */
export async function runLoad<T>(options: {
  /** One URL, or several instances: autocannon spreads its connections over them round-robin. */
  url: string | string[];
  path: string;
  items: T[];
  connections: number;
  /** Each item's own path (e.g. /api/v1/holds/{id}/capture); `path` when absent. */
  pathOf?: (item: T) => string;
  headersOf: (item: T) => Record<string, string>;
  bodyOf: (item: T) => string;
  onAnswer?: (item: T, status: number, body: string) => void;
}): Promise<LoadResult> {
  const { items } = options;
  let cursor = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  // The run ends with its last response. autocannon only notices that `amount`
  // is reached at its next 1 s sample tick, so timing its callback would count
  // up to a second of idle tail (≈ 5 % of a 17 s run).
  let lastResponseAt = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        // autocannon accepts an array of URLs (typed as string in @types/autocannon)
        url: options.url as string,
        connections: options.connections,
        amount: items.length,
        timeout: 30,
        requests: [
          {
            method: "POST",
            path: options.path,
            setupRequest: (request, context) => {
              // one request in flight per connection: its context says which item an answer is for
              const item = items[Math.min(cursor++, items.length - 1)];
              (context as { item?: T }).item = item;
              return {
                ...request,
                method: "POST",
                path: options.pathOf?.(item) ?? options.path,
                headers: { "content-type": "application/json", ...options.headersOf(item) },
                body: options.bodyOf(item),
              };
            },
            onResponse: (status, body, context) => options.onAnswer?.((context as { item: T }).item, status, body),
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
    perSecond: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    built: cursor,
  };
}

export interface HttpLoadResult extends Omit<LoadResult, "perSecond"> {
  eventsPerSecond: number;
  /** Accepted deliveries answered duplicate:false (first time seen) / duplicate:true. */
  firstDeliveries: number;
  duplicateAnswers: number;
}

export async function runHttpLoad(options: {
  url: string | string[];
  path: string;
  deliveries: Delivery[];
  connections: number;
}): Promise<HttpLoadResult> {
  let firstDeliveries = 0;
  let duplicateAnswers = 0;
  const { perSecond, ...result } = await runLoad({
    url: options.url,
    path: options.path,
    items: options.deliveries,
    connections: options.connections,
    headersOf: (delivery) => ({ "stripe-signature": delivery.signature }),
    bodyOf: (delivery) => delivery.body,
    onAnswer: (_delivery, status, body) => {
      if (status !== 200) return;
      if (body.includes('"duplicate":false')) firstDeliveries++;
      else if (body.includes('"duplicate":true')) duplicateAnswers++;
    },
  });
  return { ...result, eventsPerSecond: perSecond, firstDeliveries, duplicateAnswers };
}
