/**
 * The public spend API (SPEC §6b). The route files under app/api/v1 only
 * forward here. The API key alone decides whose credits: it is hashed here and
 * resolved to its user inside the database, in the same call that spends.
 */
import { getDb, type Database } from "@/lib/db";
import { authenticateApiKey, spendCreditsWithApiKey } from "@/lib/db/rpc/api-keys";
import { getBalanceWithApiKey, type GateResult } from "@/lib/db/rpc/holds";
import { json } from "@/lib/http/json";
import { bearerKey, hashApiKey } from "./api-key";
import { apiRateLimit } from "./rate-limit";
import { apiError, failure, invalidRequest, rateLimited, unauthorized } from "./responses";
import { readSpendRequest } from "./spend-request";

/** The 401 for a request without a key of ours: none sent, or one that cannot be ours. */
export const noKey = (request: Request) =>
  unauthorized({ reason: request.headers.has("authorization") ? "unknown_key" : "missing_key" });

/** The answer to a request the database refused at the key: 401 (unknown or revoked) or 429. */
export function refusedAtKey(result: GateResult): Response {
  if (result.outcome === "rate_limited") return rateLimited(result.retry_after_seconds);
  return unauthorized(
    result.revoked_reason ? { reason: "key_revoked", revokedReason: result.revoked_reason } : { reason: "unknown_key" },
  );
}

/** The key checked in the database: a working key's owner and rate limit, or the 401 / 429 that ends the request. */
export async function checkKey(db: Database, keyHash: string): Promise<{ userId: string } | { refused: Response }> {
  const check = await authenticateApiKey(db, keyHash, apiRateLimit());
  if (!check) return { refused: unauthorized({ reason: "unknown_key" }) };
  if ("revoked_reason" in check) {
    return { refused: unauthorized({ reason: "key_revoked", revokedReason: check.revoked_reason }) };
  }
  if (!check.allowed) return { refused: rateLimited(check.retry_after_seconds) };
  return { userId: check.user_id };
}

/**
 * GET /api/v1/balance → {balance, available, held}, in one database call: balance = unexpired credits
 * owned (negative = owed), held = active holds, available = balance - held.
 */
export async function getBalance(request: Request): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const result = await getBalanceWithApiKey(getDb(), hashApiKey(key), apiRateLimit());
    if (result.outcome !== "ok") return refusedAtKey(result);
    return json({ balance: result.balance, available: result.available, held: result.held });
  } catch (error) {
    return failure(error, "balance");
  }
}

/**
 * POST /api/v1/spend, Idempotency-Key header, body {amount, reason?}.
 * 200 {outcome: spent|duplicate, balance, spent}; 402 insufficient_credits
 * (nothing written); 409 the key reused with another amount; 401, 400, 429.
 * A malformed request still has its key checked first, so a bad key always
 * reads 401 and the key's rate limit counts it.
 */
export async function postSpend(request: Request): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const db = getDb();
    const keyHash = hashApiKey(key);
    const spend = await readSpendRequest(request);
    if ("status" in spend) {
      const check = await checkKey(db, keyHash);
      if ("refused" in check) return check.refused;
      return spend.status === 413
        ? apiError(413, "payload_too_large", { message: spend.message })
        : invalidRequest(spend.message);
    }
    const result = await spendCreditsWithApiKey(db, { keyHash, ...spend, rate: apiRateLimit() });
    switch (result.outcome) {
      case "unauthorized":
        return unauthorized(
          result.revoked_reason
            ? { reason: "key_revoked", revokedReason: result.revoked_reason }
            : { reason: "unknown_key" },
        );
      case "rate_limited":
        return rateLimited(result.retry_after_seconds);
      case "insufficient":
        return apiError(402, "insufficient_credits", { balance: result.balance });
      case "conflict":
        return apiError(409, "idempotency_conflict", {
          message: "this Idempotency-Key was already used with a different amount",
        });
      default:
        return json({ outcome: result.outcome, balance: result.balance, spent: result.spent });
    }
  } catch (error) {
    return failure(error, "spend");
  }
}
