/**
 * The plan endpoints: subscribing (from POST /api/checkout and the test
 * checkout), the test-mode subscription buttons, and the Billing Portal. The
 * route files only forward here; the user always comes from the session.
 */
import { z } from "zod";
import { getSessionFromRequest } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { isLive, listUserSubscriptions, type UserSubscription } from "@/lib/db/rpc/subscriptions";
import { getEnv } from "@/lib/env";
import { jsonError } from "@/lib/http/json";
import { readRawBody } from "@/lib/ingest/read-body";
import { WebhookRejection } from "@/lib/ingest/types";
import { SelfDeliveryError } from "@/lib/http/post-signed";
import { cardPaymentsConfigured, localCheckoutEnabled } from "./local-checkout";
import {
  isLocalSubscription,
  runTestAction,
  subscribeLocally,
  TEST_ACTIONS,
  type TestAction,
} from "./local-subscription";
import { seeOther, type PlanOrder } from "./order";
import { createBillingPortal, createSubscriptionCheckout, refuseIfSubscribed } from "./plan-checkout";

const logDeliveryFailure = (what: string, error: unknown) =>
  console.error(
    `local test ${what} failed: ${error instanceof SelfDeliveryError ? error.message : "webhook unreachable"}`,
  );

/** POST /api/checkout with plan_id: Stripe Checkout in subscription mode, else the local test checkout page. */
export async function startPlanCheckout(order: PlanOrder): Promise<Response> {
  const check = await refuseIfSubscribed(order);
  if ("refused" in check) return check.refused;
  if (localCheckoutEnabled()) return seeOther(`/checkout/test?plan=${encodeURIComponent(order.plan.id)}`);
  if (!cardPaymentsConfigured()) return seeOther("/wallet?checkout=unavailable");
  try {
    return seeOther(await createSubscriptionCheckout(order, getEnv().APP_URL));
  } catch {
    return jsonError(502, "could not start the Stripe checkout; please try again");
  }
}

/** POST /api/checkout/test with plan_id: the subscription starts and its first period is paid, through our webhook. */
export async function payPlanTestCheckout(order: PlanOrder): Promise<Response> {
  const check = await refuseIfSubscribed(order);
  if ("refused" in check) return check.refused;
  try {
    await subscribeLocally(order, check.earlier);
  } catch (error) {
    logDeliveryFailure("subscription", error);
    return seeOther(`/checkout/test?plan=${encodeURIComponent(order.plan.id)}&error=webhook`);
  }
  return seeOther(`/wallet?checkout=subscribed`);
}

/** A form is a few hundred bytes: anything past this is refused with 413 before it is read. */
const MAX_FORM_BYTES = 8 * 1024;

const actionBody = z.object({
  subscription_id: z.string().trim().min(1).max(255),
  action: z.enum(TEST_ACTIONS),
  /** The period end the page showed (SubscriptionCard's forms carry it): the click acts on that period. */
  period_end: z.iso.datetime({ offset: true }).optional(),
});

/** Which test action a subscription in this state allows; the reason when it does not. */
function refusal(action: TestAction, s: UserSubscription): string | null {
  const running = s.status === "active" && !s.cancel_at_period_end;
  if ((action === "renew" || action === "fail") && !running)
    return "only an active subscription that is not cancelling renews";
  if (action === "pay" && !(s.status === "past_due" && s.failed_invoice_id))
    return "this subscription has no overdue invoice";
  if (action === "cancel" && !isLive(s)) return "this subscription has ended already";
  return null;
}

/** POST /api/checkout/test/subscription (subscription_id, action): test mode only; the signed-in user's own local subscription. */
export async function testSubscriptionAction(request: Request): Promise<Response> {
  if (!localCheckoutEnabled()) return jsonError(404, "not found");
  const session = await getSessionFromRequest(request);
  if (!session) return jsonError(401, "sign in first");
  let form: URLSearchParams;
  try {
    form = new URLSearchParams((await readRawBody(request, MAX_FORM_BYTES)).toString("utf8"));
  } catch (error) {
    if (error instanceof WebhookRejection) return jsonError(error.status, error.message);
    throw error;
  }
  const body = actionBody.safeParse(Object.fromEntries(form));
  if (!body.success) return jsonError(400, "subscription_id and action (renew, fail, pay or cancel) are required");
  const subscriptions = await listUserSubscriptions(getDb(), session.userId);
  const sub = subscriptions.find((s) => s.external_id === body.data.subscription_id && isLocalSubscription(s));
  if (!sub) return jsonError(404, "no such test subscription on your account");
  const refused = refusal(body.data.action, sub);
  if (refused) return jsonError(409, refused);
  if (body.data.period_end) {
    // Two clicks on one page name the same period. The one that arrives after the first has moved the
    // subscription on must not renew (or fail) the next period too: that period is done, nothing is sent.
    const seen = Date.parse(body.data.period_end);
    const current = sub.current_period_end?.getTime();
    if (current === undefined || seen > current) return jsonError(409, "that period is not the current one; reload");
    if (seen < current && (body.data.action === "renew" || body.data.action === "fail"))
      return seeOther(`/wallet?subscription=${body.data.action}`);
  }
  try {
    await runTestAction(body.data.action, sub, session);
  } catch (error) {
    logDeliveryFailure(`subscription ${body.data.action}`, error);
    return seeOther(`/wallet?subscription=error`);
  }
  return seeOther(`/wallet?subscription=${body.data.action}`);
}

/** POST /api/billing/portal: Stripe's Billing Portal for the signed-in subscriber (Stripe mode only). */
export async function openBillingPortal(request: Request): Promise<Response> {
  if (localCheckoutEnabled() || !getEnv().STRIPE_SECRET_KEY) return jsonError(404, "not found");
  const session = await getSessionFromRequest(request);
  if (!session) return jsonError(401, "sign in first");
  const subscriptions = await listUserSubscriptions(getDb(), session.userId);
  const customerId = subscriptions.find((s) => s.customer_id && !isLocalSubscription(s))?.customer_id;
  if (!customerId) return jsonError(400, "you have no subscription to manage");
  try {
    return seeOther(await createBillingPortal(customerId, getEnv().APP_URL));
  } catch {
    return jsonError(502, "could not open the billing portal; please try again");
  }
}
