/** What every checkout starts from: a signed-in buyer and an active pack, read from the Request. */
import { z } from "zod";
import { getSessionFromRequest, type Session } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getActivePackage, type CreditPackage } from "@/lib/db/rpc/account";
import { jsonError } from "@/lib/http/json";

export interface Order {
  buyer: Session;
  pack: CreditPackage;
}

const orderBody = z.object({ package_id: z.string().trim().min(1).max(64) });

/** A form post (package_id=…) or JSON ({"package_id": …}). */
async function readBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) return await request.json();
    if (type.includes("form")) return Object.fromEntries(await request.formData());
  } catch {
    // malformed: answered as a missing pack below
  }
  return {};
}

/** The order, or the response that refuses it: 401 signed out, 400 unknown or inactive pack. */
export async function readOrder(request: Request): Promise<Order | Response> {
  const buyer = await getSessionFromRequest(request);
  if (!buyer) return jsonError(401, "sign in to buy credits");
  const body = orderBody.safeParse(await readBody(request));
  if (!body.success) return jsonError(400, "package_id is required");
  const pack = await getActivePackage(getDb(), body.data.package_id);
  if (!pack) return jsonError(400, "unknown or inactive package");
  return { buyer, pack };
}

/**
 * 303: the browser follows with a GET, as after any form post. Our own pages
 * are given as a path (a relative Location keeps the host the browser used).
 */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}
