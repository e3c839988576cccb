/**
 * Paystack's API with our secret key (Bearer): the callback's transaction/verify
 * and the checkout's transaction/initialize. The answer's `data` when Paystack
 * says `status: true`, else null; a network failure or timeout throws.
 */
import { getEnv } from "@/lib/env";

const TIMEOUT_MS = 10_000;

export async function paystackApi(path: string, body?: unknown): Promise<unknown> {
  const env = getEnv();
  const response = await fetch(`${env.PAYSTACK_API_BASE}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${env.PAYSTACK_SECRET_KEY}`,
      accept: "application/json",
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
    cache: "no-store",
    redirect: "error", // the Bearer secret goes to PAYSTACK_API_BASE and nowhere else
  });
  const answer = (await response.json().catch(() => null)) as { status?: unknown; data?: unknown } | null;
  if (!response.ok || !answer || answer.status !== true) return null;
  return answer.data;
}
