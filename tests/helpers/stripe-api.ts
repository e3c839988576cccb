/**
 * A local stand-in for Stripe's events API (GET /v1/events), for
 * STRIPE_API_BASE: newest first, `types[]`, `created[gt]`, `limit`,
 * `starting_after`, `has_more`, as documented at
 * https://docs.stripe.com/api/events/list. `beforePage` runs before a page is
 * answered (e.g. to deliver an event to the webhook route during the run).
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

export interface FakeStripeApi {
  origin: string;
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

export async function startFakeStripeApi(events: ListedEvent[] = []): Promise<FakeStripeApi> {
  const api: FakeStripeApi = { origin: "", queries: [], events, close: async () => {} };
  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
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
