// POST /api/checkout/test (package_id): "Pay" on the local test checkout; emits a signed Stripe event to our webhook.
import { payTestCheckout } from "@/lib/checkout/routes";

export const dynamic = "force-dynamic";

export const POST = payTestCheckout;
