/**
 * POST /api/checkout/paystack (package_id): pay for a pack with Paystack.
 *
 * The payment is started on the server (Paystack's transaction/initialize,
 * Bearer secret), so the amount, currency and metadata are the pack's and
 * the buyer's, never what a browser wrote; then 303 to Paystack's hosted
 * page. Paystack sends the browser back to /api/paystack/callback, which
 * verifies and grants, and the charge.success webhook grants the same
 * payment once more at most (grant_credits_for_purchase, keyed on the
 * reference). 404 when PAYSTACK_SECRET_KEY is unset; Paystack refusing or
 * unreachable sends the buyer back to the wallet, which says so.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getEnv } from "@/lib/env";
import { jsonError } from "@/lib/http/json";
import { isPlanOrder, readOrder, seeOther, type Order } from "./order";

const INITIALIZE_TIMEOUT_MS = 10_000;

const initialized = z.object({
  status: z.literal(true),
  data: z.object({ authorization_url: z.url({ protocol: /^https?$/ }), reference: z.string() }),
});

/** A reference Paystack accepts and our callback reads back (lib/providers/paystack/schema.ts PAYSTACK_REFERENCE). */
export const newPaystackReference = () => `cr_${randomBytes(16).toString("hex")}`;

/** transaction/initialize for this order; the hosted page's URL, or null when Paystack refused or did not answer. */
async function initialize(order: Order, reference: string): Promise<string | null> {
  const env = getEnv();
  const response = await fetch(`${env.PAYSTACK_API_BASE}/transaction/initialize`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${env.PAYSTACK_SECRET_KEY}`,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({
      email: order.buyer.email,
      amount: order.pack.amount_minor,
      currency: order.pack.currency.toUpperCase(),
      reference,
      callback_url: `${env.APP_URL}/api/paystack/callback`,
      metadata: { package_id: order.pack.id, user_id: order.buyer.userId },
    }),
    signal: AbortSignal.timeout(INITIALIZE_TIMEOUT_MS),
    cache: "no-store",
    redirect: "error", // the Bearer secret goes to PAYSTACK_API_BASE and nowhere else
  });
  const body = initialized.safeParse(await response.json().catch(() => null));
  if (!response.ok || !body.success || body.data.data.reference !== reference) return null;
  const url = body.data.data.authorization_url;
  // the buyer's browser goes there: in production only to a TLS page
  return env.isProduction && !url.startsWith("https://") ? null : url;
}

export async function startPaystackCheckout(request: Request): Promise<Response> {
  if (!getEnv().PAYSTACK_SECRET_KEY) return jsonError(404, "paying with Paystack is not available on this site");
  const order = await readOrder(request);
  if (order instanceof Response) return order;
  if (isPlanOrder(order)) return jsonError(400, "monthly plans are billed by Stripe only");
  let url: string | null;
  try {
    url = await initialize(order, newPaystackReference());
  } catch {
    url = null;
  }
  if (!url) {
    console.error("paystack checkout: transaction/initialize failed or could not be reached");
    return seeOther(`/wallet?checkout=paystack-unavailable&package=${encodeURIComponent(order.pack.id)}`);
  }
  return seeOther(url);
}
