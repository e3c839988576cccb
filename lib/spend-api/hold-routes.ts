/**
 * The holds API (/api/v1/holds…): reserve credits for work whose cost is known only at the end, then
 * capture what it cost (the rest is freed) or release it. Same auth, idempotency, rate limit and error
 * shape as the spend API (routes.ts). Each request is one database call: key → owner, rate limit, and the
 * hold's change under the wallet's row lock (supabase/schemas/055_holds.sql).
 * A request whose body or path is malformed still has its key checked first, so a bad key always reads
 * 401 and the key's rate limit counts it.
 */
import { getDb } from "@/lib/db";
import {
  captureHoldWithApiKey,
  createHoldWithApiKey,
  getHoldWithApiKey,
  listHoldsWithApiKey,
  releaseHoldWithApiKey,
  type ApiHoldResult,
  type Hold,
} from "@/lib/db/rpc/holds";
import { json } from "@/lib/http/json";
import { bearerKey, hashApiKey } from "./api-key";
import {
  parseHoldId,
  parseStatusFilter,
  readCaptureRequest,
  readHoldRequest,
  readReleaseRequest,
} from "./hold-request";
import { apiRateLimit } from "./rate-limit";
import { apiError, failure, invalidRequest } from "./responses";
import { isProblem } from "./spend-request";
import { checkKey, noKey, refusedAtKey } from "./routes";
import type { SpendRequestProblem } from "./spend-request";

/** The route's `{ params }` (Next 15 passes a promise). */
export interface HoldRouteContext {
  params: Promise<{ id: string }>;
}

/** A hold on the wire: ISO times, `captured` only once captured. */
export function holdJson(hold: Hold) {
  return {
    id: hold.id,
    amount: hold.amount,
    status: hold.status,
    reason: hold.reason,
    expires_at: hold.expires_at.toISOString(),
    created_at: hold.created_at.toISOString(),
    ...(hold.captured === null ? {} : { captured: hold.captured }),
    settled_at: hold.settled_at?.toISOString() ?? null,
  };
}

const notFound = () => apiError(404, "not_found", { message: "no such hold for this API key's account" });

const problem = (p: SpendRequestProblem) =>
  p.status === 413 ? apiError(413, "payload_too_large", { message: p.message }) : invalidRequest(p.message);

/** The key checked on its own (bad input, unknown id): the 401/429 it earns, else the answer for the input. */
async function refuseAfterKeyCheck(keyHash: string, answer: () => Response): Promise<Response> {
  const check = await checkKey(getDb(), keyHash);
  return "refused" in check ? check.refused : answer();
}

/** The common answers of a hold write; `ok` says what the successful outcomes answer. */
function holdAnswer(result: ApiHoldResult, ok: (hold: Hold, created: boolean) => Response): Response {
  switch (result.outcome) {
    case "unauthorized":
    case "rate_limited":
      return refusedAtKey(result);
    case "not_found":
      return notFound();
    case "insufficient":
      return apiError(402, "insufficient_credits", { balance: result.balance, available: result.available });
    case "conflict":
      return apiError(409, "idempotency_conflict", {
        message: "this Idempotency-Key was already used with a different amount",
      });
    case "not_active":
      return apiError(409, "hold_not_active", {
        message: `this hold is ${result.hold?.status ?? "not active"}`,
        hold: result.hold ? holdJson(result.hold) : undefined,
      });
    case "too_much":
      return invalidRequest(`amount: at most the hold's amount (${result.hold?.amount ?? 0})`);
    default:
      return ok(result.hold!, result.outcome === "held");
  }
}

/** The body of a successful write: outcome, hold, balance, available. */
const written = (result: ApiHoldResult, hold: Hold) =>
  ({
    outcome: result.outcome,
    hold: holdJson(hold),
    ...("balance" in result && result.balance !== undefined
      ? { balance: result.balance, available: result.available }
      : {}),
  }) as const;

/**
 * POST /api/v1/holds, Idempotency-Key, body {amount, reason?, expires_in_seconds?} → 201 {outcome: held, hold,
 * balance, available}; the same key and amount → 200 duplicate; another amount → 409; too few available
 * credits → 402 (nothing written).
 */
export async function postHold(request: Request): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const keyHash = hashApiKey(key);
    const input = await readHoldRequest(request);
    if ("status" in input) return refuseAfterKeyCheck(keyHash, () => problem(input));
    const result = await createHoldWithApiKey(getDb(), keyHash, input, apiRateLimit());
    return holdAnswer(result, (hold, created) => json(written(result, hold), created ? 201 : 200));
  } catch (error) {
    return failure(error, "holds");
  }
}

/** GET /api/v1/holds?status=active|captured|released|expired → {holds} (newest first, at most 100). */
export async function listHolds(request: Request): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const keyHash = hashApiKey(key);
    const filter = parseStatusFilter(new URL(request.url));
    if (isProblem(filter)) return refuseAfterKeyCheck(keyHash, () => invalidRequest(filter.message));
    const result = await listHoldsWithApiKey(getDb(), keyHash, filter.status, apiRateLimit());
    if (result.outcome !== "ok") return refusedAtKey(result);
    return json({ holds: result.holds.map(holdJson) });
  } catch (error) {
    return failure(error, "holds");
  }
}

/** GET /api/v1/holds/{id} → {hold}; 404 for an unknown id or another account's hold. */
export async function getHold(request: Request, context: HoldRouteContext): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const keyHash = hashApiKey(key);
    const holdId = parseHoldId((await context.params).id);
    if (!holdId) return refuseAfterKeyCheck(keyHash, notFound);
    const result = await getHoldWithApiKey(getDb(), keyHash, holdId, apiRateLimit());
    if (result.outcome === "not_found") return notFound();
    if (result.outcome !== "ok") return refusedAtKey(result);
    return json({ hold: holdJson(result.hold) });
  } catch (error) {
    return failure(error, "holds");
  }
}

/**
 * POST /api/v1/holds/{id}/capture, body {amount?} (default: the whole hold) → 200 {outcome: captured |
 * duplicate, hold, balance, available}; more than held → 400; released or expired → 409 hold_not_active;
 * unknown or another account's → 404.
 */
export async function captureHold(request: Request, context: HoldRouteContext): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const keyHash = hashApiKey(key);
    const holdId = parseHoldId((await context.params).id);
    const input = await readCaptureRequest(request);
    if (!holdId) return refuseAfterKeyCheck(keyHash, notFound);
    if ("status" in input) return refuseAfterKeyCheck(keyHash, () => problem(input));
    const result = await captureHoldWithApiKey(getDb(), keyHash, { holdId, amount: input.amount }, apiRateLimit());
    return holdAnswer(result, (hold) => json(written(result, hold)));
  } catch (error) {
    return failure(error, "holds");
  }
}

/**
 * POST /api/v1/holds/{id}/release → 200 {outcome: released | duplicate, hold, balance, available}; captured
 * or expired → 409 hold_not_active; unknown or another account's → 404.
 */
export async function releaseHold(request: Request, context: HoldRouteContext): Promise<Response> {
  const key = bearerKey(request);
  if (!key) return noKey(request);
  try {
    const keyHash = hashApiKey(key);
    const holdId = parseHoldId((await context.params).id);
    const input = await readReleaseRequest(request);
    if (!holdId) return refuseAfterKeyCheck(keyHash, notFound);
    if (isProblem(input)) return refuseAfterKeyCheck(keyHash, () => problem(input));
    const result = await releaseHoldWithApiKey(getDb(), keyHash, holdId, apiRateLimit());
    return holdAnswer(result, (hold) => json(written(result, hold)));
  } catch (error) {
    return failure(error, "holds");
  }
}
