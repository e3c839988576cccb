// POST /api/checkout (package_id): Stripe Checkout, or the local test checkout when no Stripe key is set.
import { startCheckout } from "@/lib/checkout/routes";

export const dynamic = "force-dynamic";

export const POST = startCheckout;
