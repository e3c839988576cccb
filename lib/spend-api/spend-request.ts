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

export async function readSpendRequest(request: Request): Promise<SpendRequest | SpendRequestProblem> {
  const header = idempotencyKey.safeParse(request.headers.get("idempotency-key") ?? "");
  if (!header.success) return { status: 400, message: "Idempotency-Key header is required (1 to 255 characters)" };
  let raw: Buffer;
  try {
    raw = await readRawBody(request, MAX_SPEND_BODY_BYTES);
  } catch (error) {
    if (error instanceof WebhookRejection) return { status: 413, message: "body too large" };
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    return { status: 400, message: 'body must be JSON: {"amount": positive integer, "reason"?: string}' };
  }
  const body = spendBody.safeParse(parsed);
  if (!body.success) {
    const issue = body.error.issues[0];
    const field = issue.path.join(".") || "body";
    return { status: 400, message: `${field}: ${issue.message}` };
  }
  return { amount: body.data.amount, reason: body.data.reason?.trim() || null, idempotencyKey: header.data };
}
