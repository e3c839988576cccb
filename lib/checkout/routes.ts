/** The two checkout endpoints; the route files under app/api/checkout only forward here. */
import { jsonError } from "@/lib/http/json";
import { LocalCheckoutError, localCheckoutEnabled, payLocally } from "./local-checkout";
import { readOrder, seeOther } from "./order";
import { createStripeCheckout } from "./stripe-checkout";

/** POST /api/checkout: Stripe Checkout when configured, else the local test checkout page. */
export async function startCheckout(request: Request): Promise<Response> {
  const order = await readOrder(request);
  if (order instanceof Response) return order;
  const origin = new URL(request.url).origin;
  if (localCheckoutEnabled()) {
    return seeOther(new URL(`/checkout/test?package=${encodeURIComponent(order.pack.id)}`, origin));
  }
  try {
    return seeOther(await createStripeCheckout(order, origin));
  } catch {
    return jsonError(502, "could not start the Stripe checkout; please try again");
  }
}

/** POST /api/checkout/test: "Pay" on the local test checkout; 404 whenever a real Stripe key is set. */
export async function payTestCheckout(request: Request): Promise<Response> {
  if (!localCheckoutEnabled()) return jsonError(404, "not found");
  const order = await readOrder(request);
  if (order instanceof Response) return order;
  const origin = new URL(request.url).origin;
  try {
    await payLocally(order, origin);
  } catch (error) {
    // The page shows a fixed message for this code; the reason goes to the server log only.
    console.error(`local test checkout failed: ${error instanceof LocalCheckoutError ? error.message : "webhook unreachable"}`);
    return seeOther(new URL(`/checkout/test?package=${encodeURIComponent(order.pack.id)}&error=webhook`, origin));
  }
  return seeOther(new URL(`/wallet?checkout=success&package=${encodeURIComponent(order.pack.id)}`, origin));
}
