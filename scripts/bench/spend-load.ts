/**
 * Sends pre-generated spends, holds or captures through the bench's
 * autocannon runner (./http-load.ts) at fixed concurrency, one request per
 * item, and records each answer (status and JSON body) against the item that
 * caused it. The same items go to the app (/api/v1/…) and to the minimal
 * route (/minimal/…).
 */
import { runLoad } from "./http-load";
import type { Capture, Spend } from "./spend-traffic";
import type { LatencySummary } from "./stats";

/** The fields of an answer the checks read (app and minimal route answer them alike). */
export interface AnswerBody {
  outcome?: string;
  balance?: number;
  available?: number;
  spent?: number;
  hold?: { id?: string; amount?: number; status?: string; captured?: number };
}

export interface Answer<T> {
  item: T;
  status: number;
  body: AnswerBody;
}

export interface SpendLoadResult<T> {
  requests: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  answers: Answer<T>[];
  errors: number;
  timeouts: number;
  built: number;
}

/** Where each kind of request goes, on the app and on the minimal route. */
export const SPEND_PATHS = {
  app: {
    spend: "/api/v1/spend",
    hold: "/api/v1/holds",
    capture: (id: string) => `/api/v1/holds/${id}/capture`,
  },
  minimal: {
    spend: "/minimal/spend",
    hold: "/minimal/holds",
    capture: (id: string) => `/minimal/holds/${id}/capture`,
  },
} as const;

async function load<T>(options: {
  url: string;
  path: string;
  pathOf?: (item: T) => string;
  items: T[];
  connections: number;
  headersOf: (item: T) => Record<string, string>;
  bodyOf: (item: T) => string;
}): Promise<SpendLoadResult<T>> {
  const answers: Answer<T>[] = [];
  const result = await runLoad({
    ...options,
    onAnswer: (item, status, text) => {
      let body: AnswerBody = {};
      try {
        body = JSON.parse(text) as AnswerBody;
      } catch {
        // counted by status
      }
      answers.push({ item, status, body });
    },
  });
  return { ...result, answers };
}

/** Spends (`path` /…/spend) or holds (/…/holds): bearer key and Idempotency-Key. */
export function runSpendLoad(options: {
  url: string;
  path: string;
  spends: Spend[];
  connections: number;
}): Promise<SpendLoadResult<Spend>> {
  return load({
    url: options.url,
    path: options.path,
    items: options.spends,
    connections: options.connections,
    headersOf: (spend) => ({ authorization: `Bearer ${spend.spender.key}`, "idempotency-key": spend.idempotencyKey }),
    bodyOf: (spend) => spend.body,
  });
}

/** Captures, each to its hold's own path. */
export function runCaptureLoad(options: {
  url: string;
  pathOf: (holdId: string) => string;
  captures: Capture[];
  connections: number;
}): Promise<SpendLoadResult<Capture>> {
  return load({
    url: options.url,
    path: options.pathOf("-"),
    pathOf: (capture) => options.pathOf(capture.holdId),
    items: options.captures,
    connections: options.connections,
    headersOf: (capture) => ({ authorization: `Bearer ${capture.spender.key}` }),
    bodyOf: (capture) => capture.body,
  });
}
