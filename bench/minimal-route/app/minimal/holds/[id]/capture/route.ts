/**
 * The naive POST /api/v1/holds/{id}/capture (npm run bench -- --spend): the
 * bearer key's SHA-256 and one pg call to bench_minimal.capture
 * (../../../../../schema.sql).
 */
import { body, call, keyHash } from "../../../../../lib/spend-db";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const hash = keyHash(request);
  if (!hash) return Response.json({ error: "unauthorized" }, { status: 401 });
  const input = await body(request);
  return call(
    "minimal_capture",
    "select bench_minimal.capture($1, $2, $3) as result",
    [hash, (await context.params).id, input.amount ?? null],
    { captured: 200, duplicate: 200, not_active: 409, too_much: 400, not_found: 404, unauthorized: 401 },
  );
}
