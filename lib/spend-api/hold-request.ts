/** What the /api/v1/holds routes accept: JSON bodies and the Idempotency-Key header, checked with zod. */
import { z } from "zod";
import { HOLD_STATUSES, type HoldStatus } from "@/lib/db/rpc/holds";
import { readRawBody } from "@/lib/ingest/read-body";
import { WebhookRejection } from "@/lib/ingest/types";
import { MAX_SPEND_BODY_BYTES, type SpendRequestProblem } from "./spend-request";

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

const idempotencyKey = z.string().trim().min(1).max(255);
const holdId = z.string().uuid();

export interface HoldRequest {
  amount: number;
  reason: string | null;
  expiresInSeconds: number;
  idempotencyKey: string;
}

/** A body as JSON checked against `schema`; an empty body reads as `{}` when `emptyIsObject`. */
async function readJson<T extends z.ZodTypeAny>(
  request: Request,
  schema: T,
  usage: string,
  emptyIsObject: boolean,
): Promise<z.infer<T> | SpendRequestProblem> {
  let raw: Buffer;
  try {
    raw = await readRawBody(request, MAX_SPEND_BODY_BYTES);
  } catch (error) {
    if (error instanceof WebhookRejection) return { status: 413, message: "body too large" };
    throw error;
  }
  const text = raw.toString("utf8");
  let parsed: unknown;
  try {
    parsed = emptyIsObject && text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { status: 400, message: `body must be JSON: ${usage}` };
  }
  const body = schema.safeParse(parsed);
  if (!body.success) {
    const issue = body.error.issues[0];
    const field = issue.path.join(".") || "body";
    return { status: 400, message: `${field}: ${issue.message}` };
  }
  return body.data;
}

export const isProblem = (value: unknown): value is SpendRequestProblem =>
  typeof value === "object" && value !== null && "status" in value && "message" in value;

/** POST /api/v1/holds: Idempotency-Key and {amount, reason?, expires_in_seconds? (default 900)}. */
export async function readHoldRequest(request: Request): Promise<HoldRequest | SpendRequestProblem> {
  const header = idempotencyKey.safeParse(request.headers.get("idempotency-key") ?? "");
  if (!header.success) return { status: 400, message: "Idempotency-Key header is required (1 to 255 characters)" };
  const body = await readJson(
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
    idempotencyKey: header.data,
  };
}

/** POST /api/v1/holds/{id}/capture: {amount?: 0 to the hold's amount}; an empty body captures the whole hold. */
export async function readCaptureRequest(request: Request): Promise<{ amount: number | null } | SpendRequestProblem> {
  const body = await readJson(request, captureBody, '{"amount"?: integer 0 or more}', true);
  if (isProblem(body)) return body;
  return { amount: body.amount ?? null };
}

/** POST /api/v1/holds/{id}/release: no body, or `{}`. */
export async function readReleaseRequest(request: Request): Promise<object | SpendRequestProblem> {
  return readJson(request, releaseBody, "{} or nothing", true);
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
