/**
 * The spend benchmark's yardstick (npm run bench -- --spend), not part of the
 * app: the naive POST /api/v1/spend. The bearer key's SHA-256, the body read
 * as JSON, one pg call to bench_minimal.spend (../../../schema.sql), the
 * outcome as status. No validation, no rate limit, no error mapping.
 */
import { body, call, keyHash } from "../../../lib/spend-db";

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  const hash = keyHash(request);
  if (!hash) return Response.json({ error: "unauthorized" }, { status: 401 });
  const input = await body(request);
  return call(
    "minimal_spend",
    "select bench_minimal.spend($1, $2, $3, $4) as result",
    [hash, input.amount, request.headers.get("idempotency-key"), input.reason ?? null],
    { spent: 200, duplicate: 200, insufficient: 402, conflict: 409, unauthorized: 401 },
  );
}
