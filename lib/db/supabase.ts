/**
 * Supabase mode: every call is `supabase.rpc(name, args)` with the service-role
 * key (server only), through PostgREST. Network failures and 5xx answers are
 * "unavailable" (webhooks answer 503); a function's own error keeps its SQLSTATE
 * and message.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { DatabaseError, DatabaseUnavailableError, TRANSIENT_SQLSTATE } from "./errors";
import type { Database, RpcArgs, RpcOptions } from "./port";

export interface SupabaseOptions {
  url: string;
  serviceRoleKey: string;
  /** For tests: the fetch PostgREST requests go through. */
  fetch?: typeof fetch;
}

export function createSupabaseAdminClient(options: SupabaseOptions): SupabaseClient {
  return createClient(options.url, options.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: options.fetch ? { fetch: options.fetch } : undefined,
  });
}

export function createSupabaseDatabase(options: SupabaseOptions): Database {
  const client = createSupabaseAdminClient(options);
  return {
    mode: "supabase",
    async rpc(name: string, args: RpcArgs = {}, _options?: RpcOptions) {
      const cleaned = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
      let response;
      try {
        response = await client.rpc(name, cleaned);
      } catch (error) {
        throw new DatabaseUnavailableError("database unavailable (network)", { cause: error });
      }
      const { data, error, status } = response;
      if (!error) return data;
      const code = typeof error.code === "string" && error.code !== "" ? error.code : undefined;
      const sqlUnavailable = code !== undefined && TRANSIENT_SQLSTATE.test(code);
      const sqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
      if (
        sqlUnavailable ||
        status === 0 ||
        (status >= 500 && !sqlState) ||
        /fetch failed|ECONNREFUSED|network/i.test(error.message)
      ) {
        throw new DatabaseUnavailableError(`database unavailable (${status || "network"})`, { cause: error });
      }
      throw new DatabaseError(error.message, code, { cause: error });
    },
    async close() {
      // HTTP client: nothing to close.
    },
  };
}
