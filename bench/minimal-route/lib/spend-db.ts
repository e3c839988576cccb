/**
 * What the minimal spend routes share: one `pg` pool for the process (Next
 * bundles each route on its own, so it lives on globalThis), the bearer key's
 * SHA-256, and the JSON body read without a schema.
 */
import { createHash } from "node:crypto";
import pg from "pg";

const shared = globalThis as { minimalSpendPool?: pg.Pool };
export const pool = (shared.minimalSpendPool ??= new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.PG_POOL_MAX || 10),
}));

/** SHA-256 hex of the bearer key, or null without one. */
export function keyHash(request: Request): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  return match ? createHash("sha256").update(match[1]).digest("hex") : null;
}

/** The body as JSON, {} when empty or not JSON. */
export async function body(request: Request): Promise<Record<string, unknown>> {
  try {
    const text = await request.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** One pg call; the answer's `outcome` picks the status. */
export async function call(name: string, text: string, values: unknown[], statuses: Record<string, number>) {
  const { rows } = await pool.query({ name, text, values });
  const result = rows[0].result as { outcome: string };
  return Response.json(result, { status: statuses[result.outcome] ?? 500 });
}
