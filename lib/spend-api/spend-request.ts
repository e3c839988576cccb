/** What POST /api/v1/spend accepts: the JSON body and the Idempotency-Key header, checked with zod. */
import { z } from "zod";
import { readRawBody } from "@/lib/ingest/read-body";
import { WebhookRejection } from "@/lib/ingest/types";

export const MAX_SPEND_BODY_BYTES = 16 * 1024;

/** Strict: nothing in the body may name a user (or anything else); the key alone says whose credits. */
export const spendBody = z
  .object({
    amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    reason: z.string().max(200).nullish(),
  })
  .strict();

const idempotencyKey = z.string().trim().min(1).max(255);

export interface SpendRequest {
  amount: number;
  reason: string | null;
  idempotencyKey: string;
}

export type SpendRequestProblem = { status: 400 | 413; message: string };

/** The Idempotency-Key header (1 to 255 characters, trimmed), or the 400 that says so. */
export function readIdempotencyKey(request: Request): string | SpendRequestProblem {
  const header = idempotencyKey.safeParse(request.headers.get("idempotency-key") ?? "");
  return header.success
    ? header.data
    : { status: 400, message: "Idempotency-Key header is required (1 to 255 characters)" };
}

/** A body (at most MAX_SPEND_BODY_BYTES) as JSON checked against `schema`; an empty body reads as `{}` when `emptyIsObject`. */
export async function readJsonBody<T extends z.ZodTypeAny>(
  request: Request,
  schema: T,
  usage: string,
  emptyIsObject = false,
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

export async function readSpendRequest(request: Request): Promise<SpendRequest | SpendRequestProblem> {
  const key = readIdempotencyKey(request);
  if (isProblem(key)) return key;
  const body = await readJsonBody(request, spendBody, '{"amount": positive integer, "reason"?: string}');
  if (isProblem(body)) return body;
  return { amount: body.amount, reason: body.reason?.trim() || null, idempotencyKey: key };
}
