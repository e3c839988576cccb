// POST /api/billing/portal: opens Stripe's Billing Portal (change card, cancel) for the signed-in subscriber.
import { openBillingPortal } from "@/lib/checkout/subscription-routes";

export const dynamic = "force-dynamic";

export const POST = openBillingPortal;
