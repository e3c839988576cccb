// GET /api/cron/webhooks (Authorization: Bearer $CRON_SECRET): the retry sweep for failed events.
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { json, jsonError } from "@/lib/http/json";
import { runRetrySweep } from "@/lib/ingest/retry";
import { webhookErrorResponse } from "@/lib/ingest/webhook-route";
import { hasBearerToken } from "@/lib/security/safe-equal";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  if (!hasBearerToken(request, getEnv().CRON_SECRET)) return jsonError(401, "unauthorized");
  try {
    return json(await runRetrySweep(getDb()));
  } catch (error) {
    return webhookErrorResponse(error, "cron");
  }
}
