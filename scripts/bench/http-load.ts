/**
 * Sends pre-generated deliveries through autocannon at fixed concurrency:
 * one request per delivery, in order, each with its own body and
 * Stripe-Signature (setupRequest takes the next one from a shared cursor;
 * with `amount` set autocannon builds exactly one request per send).
 */
import autocannon from "autocannon";
import type { Delivery } from "./deliveries";
import { summarize, type LatencySummary } from "./stats";

export interface HttpLoadResult {
  requests: number;
  seconds: number;
  eventsPerSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  /** Accepted deliveries answered duplicate:false (first time seen) / duplicate:true. */
  firstDeliveries: number;
  duplicateAnswers: number;
  errors: number;
  timeouts: number;
  built: number;
}

export async function runHttpLoad(options: {
  /** One URL, or several instances: autocannon spreads its connections over them round-robin. */
  url: string | string[];
  path: string;
  deliveries: Delivery[];
  connections: number;
}): Promise<HttpLoadResult> {
  const { deliveries } = options;
  let cursor = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let firstDeliveries = 0;
  let duplicateAnswers = 0;

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
        amount: deliveries.length,
        timeout: 30,
        requests: [
          {
            method: "POST",
            path: options.path,
            setupRequest: (request) => {
              const delivery = deliveries[Math.min(cursor++, deliveries.length - 1)];
              return {
                ...request,
                method: "POST",
                path: options.path,
                headers: { "content-type": "application/json", "stripe-signature": delivery.signature },
                body: delivery.body,
              };
            },
            onResponse: (status, body) => {
              if (status !== 200) return;
              if (body.includes('"duplicate":false')) firstDeliveries++;
              else if (body.includes('"duplicate":true')) duplicateAnswers++;
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
    eventsPerSecond: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
    statuses,
    firstDeliveries,
    duplicateAnswers,
    errors: result.errors,
    timeouts: result.timeouts,
    built: cursor,
  };
}
