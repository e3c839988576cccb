// Fireblocks deposits: JWKS or legacy RSA signature on the raw body, recorded, credited once (lib/ingest).
import { webhookRoute } from "@/lib/ingest/webhook-route";
import { fireblocksProvider } from "@/lib/providers/fireblocks";

export const dynamic = "force-dynamic";
export const POST = webhookRoute(fireblocksProvider);
