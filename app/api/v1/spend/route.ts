// POST /api/v1/spend (Bearer API key, Idempotency-Key): spends the key owner's credits once.
import { postSpend } from "@/lib/spend-api/routes";

export const dynamic = "force-dynamic";

export const POST = postSpend;
