/**
 * Typed calls of supabase/schemas/055_holds.sql: holds (reserve, capture, release, read), the API's
 * one-call versions of them keyed by an API key's hash, the expiry sweep, and the invariant check.
 */
import { z } from "zod";
import { apiWriteBatcherOf } from "../api-write-batch";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";
import { revokedReason, type RateLimit } from "./api-keys";

export const HOLD_STATUSES = ["active", "captured", "released", "expired"] as const;
export const holdStatus = z.enum(HOLD_STATUSES);
export type HoldStatus = z.infer<typeof holdStatus>;

/** A hold as the API shows it; an active hold past expires_at reads expired. */
export const hold = z.object({
  id: uuid,
  amount: int,
  status: holdStatus,
  reason: z.string().nullable(),
  expires_at: timestamp,
  created_at: timestamp,
  /** what was spent when it was captured; null otherwise */
  captured: int.nullable(),
  /** when it was captured, released or expired */
  settled_at: timestamp.nullable(),
});
export type Hold = z.infer<typeof hold>;

/** A row of a user's hold list: a hold with the Idempotency-Key that made it. */
export const creditHold = hold.extend({
  idempotency_key: z.string(),
  /** the admin who released it, and why */
  released_by_email: z.string().nullable(),
  release_reason: z.string().nullable(),
});
export type CreditHold = z.infer<typeof creditHold>;

export const HOLD_OUTCOMES = [
  "held",
  "duplicate",
  "conflict",
  "insufficient",
  "captured",
  "released",
  "not_active",
  "too_much",
  "not_found",
] as const;

/**
 * What a hold write answers: held | duplicate (the same key and amount again, or captured/released before) |
 * conflict (the key with another amount) | insufficient (nothing written) | captured | released |
 * not_active (released/expired, or captured for a release) | too_much (capture above the hold) |
 * not_found (no such hold of this user: no hold and no balance then).
 */
export const holdResult = z.object({
  outcome: z.enum(HOLD_OUTCOMES),
  hold: hold.optional(),
  balance: int.optional(),
  available: int.optional(),
});
export type HoldResult = z.infer<typeof holdResult>;

/** The answers that end an API request before it reaches the hold: a bad key or the rate limit. */
const gateResult = z.union([
  z.object({ outcome: z.literal("unauthorized"), revoked_reason: revokedReason.optional() }),
  z.object({ outcome: z.literal("rate_limited"), retry_after_seconds: int }),
]);
export type GateResult = z.infer<typeof gateResult>;

const rateArgs = (rate: RateLimit) => ({ p_rate_limit: rate.limit, p_window_seconds: rate.windowSeconds });

export interface CreateHoldArgs {
  amount: number;
  idempotencyKey: string;
  reason?: string | null;
  /** 1 to 86400; default 900 */
  expiresInSeconds?: number;
}

/** Reserves available credits once per (user, idempotency key). */
export async function createCreditHold(db: Database, userId: string, a: CreateHoldArgs): Promise<HoldResult> {
  return holdResult.parse(
    await db.rpc("create_credit_hold", {
      p_user_id: userId,
      p_amount: a.amount,
      p_idempotency_key: a.idempotencyKey,
      p_reason: a.reason ?? null,
      p_expires_in_seconds: a.expiresInSeconds ?? 900,
    }),
  );
}

/** Captures all (amount undefined) or part of an active hold; the rest is freed. */
export async function captureCreditHold(
  db: Database,
  a: { userId: string; holdId: string; amount?: number | null },
): Promise<HoldResult> {
  return holdResult.parse(
    await db.rpc("capture_credit_hold", { p_user_id: a.userId, p_hold_id: a.holdId, p_amount: a.amount ?? null }),
  );
}

/**
 * Releases an active hold; adminId and reason when an admin does it for the user (kept on the hold; the
 * database refuses a non-admin with 42501).
 */
export async function releaseCreditHold(
  db: Database,
  a: { userId: string; holdId: string; adminId?: string | null; reason?: string | null },
): Promise<HoldResult> {
  return holdResult.parse(
    await db.rpc("release_credit_hold", {
      p_user_id: a.userId,
      p_hold_id: a.holdId,
      p_admin_id: a.adminId ?? null,
      p_reason: a.reason ?? null,
    }),
  );
}

export async function getCreditHold(db: Database, userId: string, holdId: string): Promise<Hold | null> {
  const row = await db.rpc("get_credit_hold", { p_user_id: userId, p_hold_id: holdId });
  return row === null ? null : hold.parse(row);
}

/** A user's holds, newest first (at most 100), optionally only one status (as of now). */
export async function listCreditHolds(
  db: Database,
  userId: string,
  options: { status?: HoldStatus; limit?: number } = {},
): Promise<CreditHold[]> {
  const rows = await db.rpc(
    "list_credit_holds",
    { p_user_id: userId, p_status: options.status ?? null, p_limit: options.limit ?? 50 },
    { returns: "rows" },
  );
  return z.array(creditHold).parse(rows);
}

// ---- The API's one-call versions: key hash → owner (rate limited) → the same functions ----

export const apiBalanceResult = z.union([
  gateResult,
  z.object({ outcome: z.literal("ok"), balance: int, available: int, held: int }),
]);
export type ApiBalanceResult = z.infer<typeof apiBalanceResult>;

export async function getBalanceWithApiKey(db: Database, keyHash: string, rate: RateLimit): Promise<ApiBalanceResult> {
  return apiBalanceResult.parse(await db.rpc("get_balance_with_api_key", { p_key_hash: keyHash, ...rateArgs(rate) }));
}

export type ApiHoldResult = GateResult | HoldResult;
const apiHoldResult = z.union([gateResult, holdResult]);

export async function createHoldWithApiKey(
  db: Database,
  keyHash: string,
  a: CreateHoldArgs,
  rate: RateLimit,
): Promise<ApiHoldResult> {
  return apiHoldResult.parse(
    await apiWriteBatcherOf(db).call("create_hold_with_api_key", {
      p_key_hash: keyHash,
      p_amount: a.amount,
      p_idempotency_key: a.idempotencyKey,
      p_reason: a.reason ?? null,
      p_expires_in_seconds: a.expiresInSeconds ?? 900,
      ...rateArgs(rate),
    }),
  );
}

export async function captureHoldWithApiKey(
  db: Database,
  keyHash: string,
  a: { holdId: string; amount?: number | null },
  rate: RateLimit,
): Promise<ApiHoldResult> {
  return apiHoldResult.parse(
    await apiWriteBatcherOf(db).call("capture_hold_with_api_key", {
      p_key_hash: keyHash,
      p_hold_id: a.holdId,
      p_amount: a.amount ?? null,
      ...rateArgs(rate),
    }),
  );
}

export async function releaseHoldWithApiKey(
  db: Database,
  keyHash: string,
  holdId: string,
  rate: RateLimit,
): Promise<ApiHoldResult> {
  return apiHoldResult.parse(
    await apiWriteBatcherOf(db).call("release_hold_with_api_key", {
      p_key_hash: keyHash,
      p_hold_id: holdId,
      ...rateArgs(rate),
    }),
  );
}

export const apiGetHoldResult = z.union([
  gateResult,
  z.object({ outcome: z.literal("not_found") }),
  z.object({ outcome: z.literal("ok"), hold }),
]);
export type ApiGetHoldResult = z.infer<typeof apiGetHoldResult>;

export async function getHoldWithApiKey(
  db: Database,
  keyHash: string,
  holdId: string,
  rate: RateLimit,
): Promise<ApiGetHoldResult> {
  return apiGetHoldResult.parse(
    await db.rpc("get_hold_with_api_key", { p_key_hash: keyHash, p_hold_id: holdId, ...rateArgs(rate) }),
  );
}

export const apiListHoldsResult = z.union([gateResult, z.object({ outcome: z.literal("ok"), holds: z.array(hold) })]);
export type ApiListHoldsResult = z.infer<typeof apiListHoldsResult>;

export async function listHoldsWithApiKey(
  db: Database,
  keyHash: string,
  status: HoldStatus | null,
  rate: RateLimit,
): Promise<ApiListHoldsResult> {
  return apiListHoldsResult.parse(
    await db.rpc("list_holds_with_api_key", {
      p_key_hash: keyHash,
      p_status: status,
      p_limit: 100,
      ...rateArgs(rate),
    }),
  );
}

// ---- The sweep and the invariants ----

/** Settles every wallet with an expired lot or hold; returns the expire ledger rows written. */
export async function expireCreditLots(db: Database): Promise<number> {
  return int.parse(await db.rpc("expire_credit_lots", {}));
}

/** Marks active holds past expires_at expired; returns how many. */
export async function expireCreditHolds(db: Database): Promise<number> {
  return int.parse(await db.rpc("expire_credit_holds", {}));
}

export const invariantViolation = z.object({ user_id: uuid, problem: z.string() });
export type InvariantViolation = z.infer<typeof invariantViolation>;

/** Every breach of the credit invariants (wallet = ledger = lots - debt, held = active holds, …); empty = all good. */
export async function creditInvariantViolations(db: Database): Promise<InvariantViolation[]> {
  return z.array(invariantViolation).parse(await db.rpc("credit_invariant_violations", {}, { returns: "rows" }));
}
