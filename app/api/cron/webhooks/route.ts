// GET /api/cron/webhooks (Authorization: Bearer $CRON_SECRET): the sweep — retries, retention, alerts, Stripe reconciliation.
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { json, jsonError } from "@/lib/http/json";
import { webhookErrorResponse } from "@/lib/ingest/webhook-route";
import { runOpsSweep } from "@/lib/ops/sweep";
import { hasBearerToken } from "@/lib/security/safe-equal";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  if (!hasBearerToken(request, getEnv().CRON_SECRET)) return jsonError(401, "unauthorized");
  try {
    return json(await runOpsSweep(getDb()));
  } catch (error) {
    return webhookErrorResponse(error, "cron");
  }
}
