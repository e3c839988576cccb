/**
 * Every answer of /api/v1: short JSON with a stable `error` code (documented
 * in openapi.ts), never a stack trace or a database message.
 */
import { DatabaseUnavailableError } from "@/lib/db";
import type { RevokedReason } from "@/lib/db/rpc/api-keys";
import { json } from "@/lib/http/json";

export type ApiErrorCode =
  | "unauthorized"
  | "invalid_request"
  | "payload_too_large"
  | "insufficient_credits"
  | "idempotency_conflict"
  | "not_found"
  | "hold_not_active"
  | "rate_limited"
  | "method_not_allowed"
  | "unavailable"
  | "internal_error";

export function apiError(
  status: number,
  error: ApiErrorCode,
  extra: Record<string, unknown> = {},
  headers?: HeadersInit,
): Response {
  return json({ error, ...extra }, status, headers);
}

/** Why a request's key is refused: none sent, not one of ours, or revoked (and then why). */
export type Unauthorized =
  { reason: "missing_key" | "unknown_key" } | { reason: "key_revoked"; revokedReason: RevokedReason };

const REVOKED: Record<RevokedReason, string> = {
  revoked_by_owner: "this API key was revoked by its owner",
  password_changed: "this API key was revoked because the account's password was changed",
  signed_out_everywhere: "this API key was revoked when the account signed out everywhere",
  account_disabled: "this API key was revoked because the account was disabled",
};

const MESSAGES = {
  missing_key: "send an API key: Authorization: Bearer ck_…",
  unknown_key: "this API key does not exist",
} as const;

/** 401 with the reason, so a program can tell a typo from a key that was revoked (and why). */
export const unauthorized = (why: Unauthorized) =>
  apiError(
    401,
    "unauthorized",
    why.reason === "key_revoked"
      ? { reason: why.reason, revoked_reason: why.revokedReason, message: REVOKED[why.revokedReason] }
      : { reason: why.reason, message: MESSAGES[why.reason] },
    { "www-authenticate": 'Bearer realm="api"' },
  );

export const rateLimited = (retryAfterSeconds: number) =>
  apiError(
    429,
    "rate_limited",
    { retry_after_seconds: retryAfterSeconds },
    { "retry-after": String(retryAfterSeconds) },
  );

export const invalidRequest = (message: string) => apiError(400, "invalid_request", { message });

/** The database down → 503 (retry later); anything unexpected → 500, logged by kind only. */
export function failure(error: unknown, route: string): Response {
  if (error instanceof DatabaseUnavailableError) {
    return apiError(503, "unavailable", { message: "temporarily unavailable, please retry" }, { "retry-after": "5" });
  }
  console.error(`[api:${route}] ${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? String(error)}`);
  return apiError(500, "internal_error");
}

/**
 * The handler for every method a /api/v1 route does not take: Next would answer a bare 405 with
 * no body; ours is the same short JSON as every other answer, with the methods it does take.
 */
export const methodNotAllowed = (allow: string) => (): Response => apiError(405, "method_not_allowed", {}, { allow });
