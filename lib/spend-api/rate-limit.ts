/** The per-key rate limit of /api/v1, from API_RATE_LIMIT_PER_MINUTE. */
import type { RateLimit } from "@/lib/db/rpc/api-keys";
import { getEnv } from "@/lib/env";

export function apiRateLimit(): RateLimit {
  return { limit: getEnv().API_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 };
}
