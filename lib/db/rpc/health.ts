import { z } from "zod";
import type { Database } from "../port";
import { int } from "./scalars";

export const healthResult = z.object({ ok: z.literal(true), time: z.string(), packages: int });

export async function healthCheck(db: Database) {
  return healthResult.parse(await db.rpc("health_check", {}));
}
