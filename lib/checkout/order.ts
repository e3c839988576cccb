/** What every checkout starts from: a signed-in buyer and an active pack or plan, read from the Request. */
import { z } from "zod";
import { getSessionFromRequest, type Session } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getActivePackage, type CreditPackage } from "@/lib/db/rpc/credits";
import { getActivePlan, type CreditPlan } from "@/lib/db/rpc/subscriptions";
import { jsonError } from "@/lib/http/json";
import { readRawBody } from "@/lib/ingest/read-body";
import { WebhookRejection } from "@/lib/ingest/types";

/** A checkout body is one pack id: anything near this size is not a checkout (413 before parsing). */
export const MAX_CHECKOUT_BODY_BYTES = 64 * 1024;

export interface Order {
  buyer: Session;
  pack: CreditPackage;
  /** "Save this card for automatic top-ups" was ticked. */
  saveCard?: boolean;
}

/** A monthly plan: Stripe Checkout in subscription mode (lib/checkout/plan-checkout.ts). */
export interface PlanOrder {
  buyer: Session;
  plan: CreditPlan;
}

export const isPlanOrder = (order: Order | PlanOrder): order is PlanOrder => "plan" in order;

const orderBody = z.object({
  package_id: z.string().trim().min(1).max(64),
  // a ticked checkbox posts "1" (or "on" without a value); anything else, or nothing, is "no"
  save_card: z.unknown().optional(),
});
const planBody = z.object({ plan_id: z.string().trim().min(1).max(64) });

/**
 * A form post (package_id=…) or JSON ({"package_id": …}), read through the
 * same capped reader as the webhooks: a body over the cap is refused (413)
 * without being buffered or parsed.
 */
async function readBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  const raw = await readRawBody(request, MAX_CHECKOUT_BODY_BYTES);
  try {
    const parsed = new Response(new Uint8Array(raw), { headers: { "content-type": type } });
    if (type.includes("application/json")) return await parsed.json();
    if (type.includes("form")) return Object.fromEntries(await parsed.formData());
  } catch {
    // malformed: answered as a missing pack below
  }
  return {};
}

/** The order, or the response that refuses it: 401 signed out, 413 oversized, 400 unknown or inactive pack or plan. */
export async function readOrder(request: Request): Promise<Order | PlanOrder | Response> {
  const buyer = await getSessionFromRequest(request);
  if (!buyer) return jsonError(401, "sign in to buy credits");
  let raw: unknown;
  try {
    raw = await readBody(request);
  } catch (error) {
    if (error instanceof WebhookRejection) return jsonError(error.status, error.message);
    throw error;
  }
  const planned = planBody.safeParse(raw);
  if (planned.success) {
    const plan = await getActivePlan(getDb(), planned.data.plan_id);
    return plan ? { buyer, plan } : jsonError(400, "unknown or inactive plan");
  }
  const body = orderBody.safeParse(raw);
  if (!body.success) return jsonError(400, "package_id is required");
  const pack = await getActivePackage(getDb(), body.data.package_id);
  if (!pack) return jsonError(400, "unknown or inactive package");
  const saveCard = ["1", "on", "true", true].includes(body.data.save_card as string | boolean);
  return { buyer, pack, saveCard };
}

/**
 * 303: the browser follows with a GET, as after any form post. Our own pages
 * are given as a path (a relative Location keeps the host the browser used).
 */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}
