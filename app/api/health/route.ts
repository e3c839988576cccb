// GET /api/health: the mode and whether the database answers (503 when it does not, or the configuration is invalid).
import { configProblems } from "@/lib/config-check";
import { getDb } from "@/lib/db";
import { healthCheck } from "@/lib/db/rpc/ops";
import { getEnv } from "@/lib/env";
import { json } from "@/lib/http/json";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  // Only `next dev` serves with a broken configuration (`next start` exits): say which variables, never 200.
  const problems = configProblems();
  if (problems.length > 0) return json({ ok: false, configuration: problems.map((p) => p.variable) }, 503);
  const { mode } = getEnv();
  try {
    await healthCheck(getDb());
    return json({ ok: true, mode, database: "up" });
  } catch {
    return json({ ok: false, mode, database: "down" }, 503);
  }
}
