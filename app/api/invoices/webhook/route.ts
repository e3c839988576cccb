// Crypto invoice gateway updates (also at /callback/update-invoice): HMAC-verified, state machine in SQL (lib/ingest).
import { webhookRoute } from "@/lib/ingest/webhook-route";
import { invoicesProvider } from "@/lib/providers/invoices";

export const dynamic = "force-dynamic";
export const POST = webhookRoute(invoicesProvider);
