// POST /api/checkout/test/subscription (subscription_id, action): test-mode renew / fail / pay / cancel of a local subscription.
import { testSubscriptionAction } from "@/lib/checkout/subscription-routes";

export const dynamic = "force-dynamic";

export const POST = testSubscriptionAction;
