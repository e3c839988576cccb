/**
 * A local stand-in for the parts of Stripe's API the app calls, for
 * STRIPE_API_BASE:
 * - the events API (GET /v1/events): newest first, `types[]`, `created[gt]`,
 *   `limit`, `starting_after`, `has_more`, as documented at
 *   https://docs.stripe.com/api/events/list. `beforePage` runs before a page is
 *   answered (e.g. to deliver an event to the webhook route during the run);
 * - PaymentIntents (POST /v1/payment_intents, GET /v1/payment_intents/:id with
 *   `expand[]=payment_method`), honouring the Idempotency-Key header as Stripe
 *   does: a request repeated with the same key gets the first answer again and
 *   creates nothing. `paymentIntentOutcome` decides each new one: succeeded, or
 *   declined (402 card_error, as Stripe answers an off-session decline).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ListedEvent {
  id: string;
  type: string;
  created: number;
  [key: string]: unknown;
}

export interface EventsQuery {
  types: string[];
  createdGt: number | null;
  limit: number;
  startingAfter: string | null;
  authorization: string | undefined;
}

/** A PaymentIntent as the fake keeps it (form fields as sent, flattened: "metadata[topup_id]"). */
export interface FakePaymentIntent {
  id: string;
  params: Record<string, string>;
  idempotencyKey: string | null;
  status: "succeeded" | "requires_payment_method";
}

export type PaymentIntentOutcome = "succeeded" | { decline: string; message?: string } | { serverError: true };

export interface FakeStripeApi {
  origin: string;
  /** PaymentIntents created (one per distinct idempotency key). */
  paymentIntents: FakePaymentIntent[];
  /** Every POST /v1/payment_intents, replays included. */
  paymentIntentRequests: number;
  /** Decides a new PaymentIntent (default: succeeded). */
  paymentIntentOutcome?: (params: Record<string, string>) => PaymentIntentOutcome;
  /** Payment methods GET /v1/payment_intents/:id expands to (by id): the card's brand and last 4. */
  paymentMethods: Map<string, { brand: string; last4: string }>;
  /** PaymentIntents made elsewhere (e.g. by a Checkout) that GET /v1/payment_intents/:id knows. */
  knownPaymentIntents: Map<string, { payment_method: string; customer: string }>;
  /** Every events request, in order. */
  queries: EventsQuery[];
  events: ListedEvent[];
  beforePage?: (query: EventsQuery, pageNumber: number) => Promise<void> | void;
  close(): Promise<void>;
}

function parseQuery(url: URL, authorization: string | undefined): EventsQuery {
  const types: string[] = [];
  for (const [key, value] of url.searchParams) if (/^types\[\d*\]$/.test(key)) types.push(value);
  const gt = url.searchParams.get("created[gt]");
  return {
    types,
    createdGt: gt === null ? null : Number(gt),
    limit: Math.min(Number(url.searchParams.get("limit") ?? "10"), 100),
    startingAfter: url.searchParams.get("starting_after"),
    authorization,
  };
}

async function readForm(request: http.IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
}

function paymentIntentBody(pi: FakePaymentIntent, api: FakeStripeApi, expand: boolean) {
  const metadata = Object.fromEntries(
    Object.entries(pi.params)
      .filter(([key]) => key.startsWith("metadata["))
      .map(([key, value]) => [key.slice(9, -1), value]),
  );
  const pmId = pi.params.payment_method ?? null;
  const card = pmId ? api.paymentMethods.get(pmId) : undefined;
  return {
    id: pi.id,
    object: "payment_intent",
    amount: Number(pi.params.amount),
    amount_received: pi.status === "succeeded" ? Number(pi.params.amount) : 0,
    currency: pi.params.currency,
    customer: pi.params.customer ?? null,
    payment_method: expand && pmId ? { id: pmId, object: "payment_method", card: card ?? null } : pmId,
    status: pi.status,
    metadata,
  };
}

/** POST /v1/payment_intents and GET /v1/payment_intents/:id; false when the request is not one of them. */
async function paymentIntents(
  api: FakeStripeApi,
  request: http.IncomingMessage,
  url: URL,
  response: http.ServerResponse,
  answered: Map<string, { status: number; body: string }>,
): Promise<boolean> {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json" }).end(text);
    return { status, body: text };
  };
  if (request.method === "POST" && url.pathname === "/v1/payment_intents") {
    const params = await readForm(request);
    api.paymentIntentRequests += 1;
    const key = (request.headers["idempotency-key"] as string | undefined) ?? null;
    const replay = key ? answered.get(key) : undefined;
    if (replay) {
      response
        .writeHead(replay.status, { "content-type": "application/json", "idempotent-replayed": "true" })
        .end(replay.body);
      return true;
    }
    const outcome = api.paymentIntentOutcome?.(params) ?? "succeeded";
    if (typeof outcome === "object" && "serverError" in outcome) {
      send(500, { error: { type: "api_error", message: "fake Stripe is down" } });
      return true; // not kept: Stripe does not store the result of a request that errored on its side
    }
    const pi: FakePaymentIntent = {
      id: `pi_fake_${api.paymentIntents.length + 1}_${Math.random().toString(36).slice(2, 10)}`,
      params,
      idempotencyKey: key,
      status: outcome === "succeeded" ? "succeeded" : "requires_payment_method",
    };
    api.paymentIntents.push(pi);
    const result =
      outcome === "succeeded"
        ? send(200, paymentIntentBody(pi, api, false))
        : send(402, {
            error: {
              type: "card_error",
              code: outcome.decline === "authentication_required" ? "authentication_required" : "card_declined",
              decline_code: outcome.decline,
              message: outcome.message ?? "Your card was declined.",
              payment_intent: paymentIntentBody(pi, api, false),
            },
          });
    if (key) answered.set(key, result);
    return true;
  }
  const match = /^\/v1\/payment_intents\/([A-Za-z0-9_]+)$/.exec(url.pathname);
  if (request.method === "GET" && match) {
    const expand =
      url.searchParams.getAll("expand[]").includes("payment_method") ||
      url.searchParams.getAll("expand[0]").includes("payment_method");
    const own = api.paymentIntents.find((p) => p.id === match[1]);
    const known = api.knownPaymentIntents.get(match[1]);
    if (own) send(200, paymentIntentBody(own, api, expand));
    else if (known) {
      const pi: FakePaymentIntent = {
        id: match[1],
        params: { amount: "0", currency: "usd", payment_method: known.payment_method, customer: known.customer },
        idempotencyKey: null,
        status: "succeeded",
      };
      send(200, paymentIntentBody(pi, api, expand));
    } else send(404, { error: { type: "invalid_request_error", message: `No such payment_intent: '${match[1]}'` } });
    return true;
  }
  return false;
}

export async function startFakeStripeApi(events: ListedEvent[] = []): Promise<FakeStripeApi> {
  const api: FakeStripeApi = {
    origin: "",
    queries: [],
    events,
    paymentIntents: [],
    paymentIntentRequests: 0,
    paymentMethods: new Map(),
    knownPaymentIntents: new Map(),
    close: async () => {},
  };
  const answered = new Map<string, { status: number; body: string }>();
  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      if (await paymentIntents(api, request, url, response, answered)) return;
      if (request.method !== "GET" || url.pathname !== "/v1/events") {
        response
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const query = parseQuery(url, request.headers.authorization);
      api.queries.push(query);
      await api.beforePage?.(query, api.queries.length);
      // Newest first; ties in `created` keep a stable order by id, as a cursor needs.
      let list = [...api.events]
        .filter(
          (e) =>
            (query.types.length === 0 || query.types.includes(e.type)) &&
            (query.createdGt === null || e.created > query.createdGt),
        )
        .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
      if (query.startingAfter) {
        const at = list.findIndex((e) => e.id === query.startingAfter);
        list = at === -1 ? [] : list.slice(at + 1);
      }
      const data = list.slice(0, query.limit);
      response
        .writeHead(200, { "content-type": "application/json", "request-id": `req_${api.queries.length}` })
        .end(JSON.stringify({ object: "list", url: "/v1/events", has_more: list.length > data.length, data }));
    })().catch((error: Error) => {
      response.writeHead(500).end(JSON.stringify({ error: { message: error.message } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return api;
}
