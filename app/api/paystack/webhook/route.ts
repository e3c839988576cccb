// Paystack events: HMAC-SHA512 on the raw body, recorded, charge.success granted once per reference (lib/ingest).
import { webhookRoute } from "@/lib/ingest/webhook-route";
import { paystackProvider } from "@/lib/providers/paystack";

export const dynamic = "force-dynamic";
export const POST = webhookRoute(paystackProvider);
