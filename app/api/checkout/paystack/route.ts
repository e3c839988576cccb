// POST /api/checkout/paystack (package_id): Paystack's hosted payment page for a pack (lib/checkout/paystack-checkout.ts).
import { startPaystackCheckout } from "@/lib/checkout/paystack-checkout";

export const dynamic = "force-dynamic";

export const POST = startPaystackCheckout;
