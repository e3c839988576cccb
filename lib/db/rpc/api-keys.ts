/** Typed calls of supabase/schemas/050_api_keys.sql: API keys, their rate limit, and spending through them. */
import { z } from "zod";
import { apiWriteBatcherOf } from "../api-write-batch";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

export const createdApiKey = z.object({ id: uuid, key: z.string().regex(/^ck_[0-9a-f]{64}$/) });
export type CreatedApiKey = z.infer<typeof createdApiKey>;

/** A new key for the user: the plaintext is in this result and nowhere else. */
export async function createApiKey(db: Database, userId: string, name: string): Promise<CreatedApiKey> {
  return createdApiKey.parse(await db.rpc("create_api_key", { p_user_id: userId, p_name: name }));
}

/** Revokes one of the user's own keys; false when they have no such key. */
export async function revokeApiKey(db: Database, userId: string, keyId: string): Promise<boolean> {
  return z.boolean().parse(await db.rpc("revoke_api_key", { p_user_id: userId, p_key_id: keyId }));
}

/** Why a key stopped working (api_keys.revoked_reason). */
export const revokedReason = z.enum([
  "revoked_by_owner",
  "password_changed",
  "signed_out_everywhere",
  "account_disabled",
]);
export type RevokedReason = z.infer<typeof revokedReason>;

export const apiKeyRow = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
  revoked_reason: revokedReason.nullable(),
});
export type ApiKeyRow = z.infer<typeof apiKeyRow>;

export async function listApiKeys(db: Database, userId: string): Promise<ApiKeyRow[]> {
  return z.array(apiKeyRow).parse(await db.rpc("list_api_keys", { p_user_id: userId }, { returns: "rows" }));
}

/** The per-key rate limit: at most `limit` requests per `windowSeconds` (fixed window, counted in the database). */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

const rateArgs = (rate: RateLimit) => ({ p_rate_limit: rate.limit, p_window_seconds: rate.windowSeconds });

export const keyCheck = z.union([
  z.object({ key_id: uuid, user_id: uuid, allowed: z.boolean(), retry_after_seconds: int }),
  z.object({ revoked_reason: revokedReason }),
]);
export type KeyCheck = z.infer<typeof keyCheck>;

/**
 * A working key: its owner and whether this request fits its rate limit (the request is counted).
 * A revoked key: why it was revoked (nothing written). An unknown key: null.
 */
export async function authenticateApiKey(db: Database, keyHash: string, rate: RateLimit): Promise<KeyCheck | null> {
  const row = await db.rpc("authenticate_api_key", { p_key_hash: keyHash, ...rateArgs(rate) });
  return row === null ? null : keyCheck.parse(row);
}

const spendOutcome = z.object({
  outcome: z.enum(["spent", "duplicate", "conflict", "insufficient"]),
  balance: int,
  /** balance less the active holds: what spends may use */
  available: int,
  spent: int,
});

export const apiSpendResult = z.union([
  spendOutcome,
  z.object({ outcome: z.literal("unauthorized"), revoked_reason: revokedReason.optional() }),
  z.object({ outcome: z.literal("rate_limited"), retry_after_seconds: int }),
]);
export type ApiSpendResult = z.infer<typeof apiSpendResult>;

export interface ApiSpendArgs {
  keyHash: string;
  amount: number;
  idempotencyKey: string;
  reason?: string | null;
  rate: RateLimit;
}

/** POST /api/v1/spend in one database call: key → user, rate limit, spend (once per idempotency key). */
export async function spendCreditsWithApiKey(db: Database, a: ApiSpendArgs): Promise<ApiSpendResult> {
  return apiSpendResult.parse(
    await apiWriteBatcherOf(db).call("spend_credits_with_api_key", {
      p_key_hash: a.keyHash,
      p_amount: a.amount,
      p_idempotency_key: a.idempotencyKey,
      p_reason: a.reason ?? null,
      ...rateArgs(a.rate),
    }),
  );
}
