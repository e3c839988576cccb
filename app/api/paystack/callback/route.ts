// Paystack's browser return: verified with Paystack's API, granted once (shared with the webhook), then /wallet.
import { paystackCallback } from "@/lib/providers/paystack/callback";

export const dynamic = "force-dynamic";
export const GET = paystackCallback;
