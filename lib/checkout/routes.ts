/** The two checkout endpoints; the route files under app/api/checkout only forward here. */
import { getDb } from "@/lib/db";
import { savedStripeCustomer } from "@/lib/db/rpc/topups";
import { getEnv } from "@/lib/env";
import { TOPUP_PAGE } from "@/lib/topups/pages";
import { jsonError } from "@/lib/http/json";
import { SelfDeliveryError } from "@/lib/http/post-signed";
import { cardPaymentsConfigured, localCheckoutEnabled, payLocally } from "./local-checkout";
import { isPlanOrder, readOrder, seeOther } from "./order";
import { createStripeCheckout } from "./stripe-checkout";
import { payPlanTestCheckout, startPlanCheckout } from "./subscription-routes";

/**
 * POST /api/checkout: Stripe Checkout when configured, else the local test
 * checkout page when it is on, else back to the wallet, which says card
 * payments are not configured. A plan_id starts a subscription instead.
 */
export async function startCheckout(request: Request): Promise<Response> {
  const order = await readOrder(request);
  if (order instanceof Response) return order;
  if (isPlanOrder(order)) return startPlanCheckout(order);
  if (localCheckoutEnabled()) {
    const save = order.saveCard ? "&save_card=1" : "";
    return seeOther(`/checkout/test?package=${encodeURIComponent(order.pack.id)}${save}`);
  }
  if (!cardPaymentsConfigured()) return seeOther("/wallet?checkout=unavailable");
  try {
    const customerId = order.saveCard ? await savedStripeCustomer(getDb(), order.buyer.userId) : null;
    return seeOther(await createStripeCheckout(order, getEnv().APP_URL, customerId));
  } catch {
    return jsonError(502, "could not start the Stripe checkout; please try again");
  }
}

/**
 * POST /api/checkout/test: "Pay" on the local test checkout; 404 whenever a
 * real Stripe key is set, and in production unless LOCAL_TEST_CHECKOUT=1.
 */
export async function payTestCheckout(request: Request): Promise<Response> {
  if (!localCheckoutEnabled()) return jsonError(404, "not found");
  const order = await readOrder(request);
  if (order instanceof Response) return order;
  if (isPlanOrder(order)) return payPlanTestCheckout(order);
  try {
    await payLocally(order);
  } catch (error) {
    // The page shows a fixed message for this code; the reason goes to the server log only.
    console.error(
      `local test checkout failed: ${error instanceof SelfDeliveryError ? error.message : "webhook unreachable"}`,
    );
    return seeOther(`/checkout/test?package=${encodeURIComponent(order.pack.id)}&error=webhook`);
  }
  if (order.saveCard) return seeOther(`${TOPUP_PAGE}?card=saved`);
  return seeOther(`/wallet?checkout=success&package=${encodeURIComponent(order.pack.id)}`);
}
