/**
 * lib/db/supabase.ts at its HTTP boundary: what it sends to PostgREST and how
 * PostgREST's answers map to results, DatabaseError and DatabaseUnavailableError.
 */
import { describe, expect, it } from "vitest";
import { DatabaseError, DatabaseUnavailableError } from "@/lib/db/errors";
import { createSupabaseDatabase } from "@/lib/db/supabase";
import { rpcUnchecked } from "../helpers/rpc-unchecked";

const URL_BASE = "https://project.supabase.co";
const SERVICE_KEY = "service-role-key-for-tests";

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
}

/** A database whose PostgREST is `answer`; records every request. */
function databaseAnswering(answer: (request: Sent) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = await request.text();
    const entry = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    sent.push(entry);
    return answer(entry);
  };
  const db = createSupabaseDatabase({ url: URL_BASE, serviceRoleKey: SERVICE_KEY, fetch: fakeFetch as typeof fetch });
  return { db, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe("supabase adapter", () => {
  it("POSTs the named arguments to /rest/v1/rpc/<name> with the service-role key, dropping undefined ones", async () => {
    const { db, sent } = databaseAnswering(() => json(200, { outcome: "granted" }));
    await rpcUnchecked(db, "grant_credits_for_purchase", {
      p_provider: "stripe",
      p_external_id: "pi_1",
      p_user_id: null,
      p_credits: 100,
      p_package_id: undefined,
      p_meta: { a: 1 },
    });
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(`${URL_BASE}/rest/v1/rpc/grant_credits_for_purchase`);
    expect(request.headers.get("apikey")).toBe(SERVICE_KEY);
    expect(request.headers.get("authorization")).toBe(`Bearer ${SERVICE_KEY}`);
    expect(request.headers.get("content-type")).toMatch(/application\/json/);
    expect(request.body).toEqual({
      p_provider: "stripe",
      p_external_id: "pi_1",
      p_user_id: null,
      p_credits: 100,
      p_meta: { a: 1 },
    });
  });

  it("returns the JSON body of a 200 answer as the result", async () => {
    const { db } = databaseAnswering(() => json(200, { outcome: "granted", balance: 100 }));
    expect(await rpcUnchecked(db, "grant_credits_for_purchase", {})).toEqual({ outcome: "granted", balance: 100 });
  });

  it("returns the rows of a set-returning function", async () => {
    const rows = [{ id: "a" }, { id: "b" }];
    const { db } = databaseAnswering(() => json(200, rows));
    expect(await db.rpc("list_webhook_events", { p_limit: 2 }, { returns: "rows" })).toEqual(rows);
  });

  it("turns a function's error into a DatabaseError with its SQLSTATE and message", async () => {
    const { db } = databaseAnswering(() =>
      json(400, { code: "P0002", message: "purchase not found", details: null, hint: null }),
    );
    const error = await failure(rpcUnchecked(db, "reverse_purchase_credits", { p_kind: "refund" }));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "P0002", message: "purchase not found" });
  });

  it("keeps a permission error (42501) a DatabaseError, not an outage", async () => {
    const { db } = databaseAnswering(() => json(403, { code: "42501", message: "permission denied for function x" }));
    expect(await failure(rpcUnchecked(db, "x", {}))).toMatchObject({ name: "DatabaseError", code: "42501" });
  });

  it("reports a network failure as DatabaseUnavailableError", async () => {
    const { db } = databaseAnswering(() => {
      throw new TypeError("fetch failed");
    });
    expect(await failure(db.rpc("health_check", {}))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it("reports a 503 without a SQLSTATE (PostgREST cannot reach Postgres) as DatabaseUnavailableError", async () => {
    const { db } = databaseAnswering(() =>
      json(503, { code: "PGRST002", message: "Could not query the database for the schema cache. Retrying." }),
    );
    expect(await failure(db.rpc("health_check", {}))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it("reports a gateway error page as DatabaseUnavailableError", async () => {
    const { db } = databaseAnswering(() => new Response("<html>502 Bad Gateway</html>", { status: 502 }));
    expect(await failure(db.rpc("health_check", {}))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it("reports a connection-class SQLSTATE (08006) as DatabaseUnavailableError", async () => {
    const { db } = databaseAnswering(() => json(500, { code: "08006", message: "connection failure" }));
    expect(await failure(db.rpc("health_check", {}))).toBeInstanceOf(DatabaseUnavailableError);
  });
});
