/**
 * The naive POST /api/v1/holds (npm run bench -- --spend): the bearer key's
 * SHA-256 and one pg call to bench_minimal.create_hold (../../../schema.sql).
 */
import { body, call, keyHash } from "../../../lib/spend-db";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const hash = keyHash(request);
  if (!hash) return Response.json({ error: "unauthorized" }, { status: 401 });
  const input = await body(request);
  return call(
    "minimal_create_hold",
    "select bench_minimal.create_hold($1, $2, $3, $4, $5) as result",
    [hash, input.amount, request.headers.get("idempotency-key"), input.reason ?? null, input.expires_in_seconds ?? 900],
    { held: 201, duplicate: 200, insufficient: 402, conflict: 409, unauthorized: 401 },
  );
}
