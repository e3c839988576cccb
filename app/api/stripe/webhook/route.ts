// The one Stripe webhook endpoint: verify on the raw body, record, grant once (lib/ingest).
import { webhookRoute } from "@/lib/ingest/webhook-route";
import { stripeProvider } from "@/lib/providers/stripe";

export const dynamic = "force-dynamic";
export const POST = webhookRoute(stripeProvider);
