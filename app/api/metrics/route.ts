// GET /api/metrics: Prometheus text exposition, for scrapers holding METRICS_TOKEN.
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { renderPrometheusMetrics } from "@/lib/admin/prometheus";
import { getEnv } from "@/lib/env";
import { jsonError } from "@/lib/http/json";
import { hasBearerToken } from "@/lib/security/safe-equal";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const token = getEnv().METRICS_TOKEN;
  // Unset token = endpoint switched off: 404, so an unconfigured deployment does not even advertise it.
  if (!token) return jsonError(404, "not found");
  if (!hasBearerToken(request, token)) {
    return jsonError(401, "unauthorized", { "www-authenticate": 'Bearer realm="metrics"' });
  }
  try {
    const { contentType, body } = await renderPrometheusMetrics(getDb());
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return jsonError(503, "database unavailable");
    throw error;
  }
}
