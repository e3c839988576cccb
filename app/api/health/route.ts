// GET /api/health: the mode and whether the database answers (503 when it does not).
import { getDb } from "@/lib/db";
import { healthCheck } from "@/lib/db/rpc/health";
import { getEnv } from "@/lib/env";
import { json } from "@/lib/http/json";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const { mode } = getEnv();
  try {
    await healthCheck(getDb());
    return json({ ok: true, mode, database: "up" });
  } catch {
    return json({ ok: false, mode, database: "down" }, 503);
  }
}
