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
import { paystackApi } from "@/lib/providers/paystack/api";
import { isPlanOrder, readOrder, seeOther, type Order } from "./order";

const initialized = z.object({ authorization_url: z.url({ protocol: /^https?$/ }), reference: z.string() });

/** A reference Paystack accepts and our callback reads back (lib/providers/paystack/schema.ts PAYSTACK_REFERENCE). */
const newPaystackReference = () => `cr_${randomBytes(16).toString("hex")}`;

/** transaction/initialize for this order; the hosted page's URL, or null when Paystack refused. */
async function initialize(order: Order, reference: string): Promise<string | null> {
  const env = getEnv();
  const answer = initialized.safeParse(
    await paystackApi("/transaction/initialize", {
      email: order.buyer.email,
      amount: order.pack.amount_minor,
      currency: order.pack.currency.toUpperCase(),
      reference,
      callback_url: `${env.APP_URL}/api/paystack/callback`,
      metadata: { package_id: order.pack.id, user_id: order.buyer.userId },
    }),
  );
  if (!answer.success || answer.data.reference !== reference) return null;
  // the buyer's browser goes there: in production only to a TLS page
  return env.isProduction && !answer.data.authorization_url.startsWith("https://")
    ? null
    : answer.data.authorization_url;
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
