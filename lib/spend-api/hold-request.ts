/** What the /api/v1/holds routes accept: JSON bodies and the Idempotency-Key header, checked with zod. */
import { z } from "zod";
import { HOLD_STATUSES, type HoldStatus } from "@/lib/db/rpc/holds";
import { isProblem, readIdempotencyKey, readJsonBody, type SpendRequestProblem } from "./spend-request";

/** Strict, like a spend: nothing in the body may name a user; the key alone says whose credits. */
export const holdBody = z
  .object({
    amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    reason: z.string().max(200).nullish(),
    expires_in_seconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();

export const captureBody = z
  .object({ amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() })
  .strict();

const releaseBody = z.object({}).strict();

const holdId = z.string().uuid();

export interface HoldRequest {
  amount: number;
  reason: string | null;
  expiresInSeconds: number;
  idempotencyKey: string;
}

/** POST /api/v1/holds: Idempotency-Key and {amount, reason?, expires_in_seconds? (default 900)}. */
export async function readHoldRequest(request: Request): Promise<HoldRequest | SpendRequestProblem> {
  const key = readIdempotencyKey(request);
  if (isProblem(key)) return key;
  const body = await readJsonBody(
    request,
    holdBody,
    '{"amount": positive integer, "reason"?: string, "expires_in_seconds"?: 1 to 86400}',
    false,
  );
  if (isProblem(body)) return body;
  return {
    amount: body.amount,
    reason: body.reason?.trim() || null,
    expiresInSeconds: body.expires_in_seconds ?? 900,
    idempotencyKey: key,
  };
}

/** POST /api/v1/holds/{id}/capture: {amount?: 0 to the hold's amount}; an empty body captures the whole hold. */
export async function readCaptureRequest(request: Request): Promise<{ amount: number | null } | SpendRequestProblem> {
  const body = await readJsonBody(request, captureBody, '{"amount"?: integer 0 or more}', true);
  if (isProblem(body)) return body;
  return { amount: body.amount ?? null };
}

/** POST /api/v1/holds/{id}/release: no body, or `{}`. */
export async function readReleaseRequest(request: Request): Promise<object | SpendRequestProblem> {
  return readJsonBody(request, releaseBody, "{} or nothing", true);
}

/** A hold id from the path: a UUID, else null (answered 404: no such hold). */
export const parseHoldId = (value: string): string | null => (holdId.safeParse(value).success ? value : null);

/** ?status= of GET /api/v1/holds: one of the statuses, or absent. */
export function parseStatusFilter(url: URL): { status: HoldStatus | null } | SpendRequestProblem {
  const status = url.searchParams.get("status");
  if (status === null || status === "") return { status: null };
  return (HOLD_STATUSES as readonly string[]).includes(status)
    ? { status: status as HoldStatus }
    : { status: 400, message: `status must be one of ${HOLD_STATUSES.join(", ")}` };
}
