// POST /api/v1/spend (Bearer API key, Idempotency-Key): spends the key owner's credits once.
import { postSpend } from "@/lib/spend-api/routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const POST = postSpend;

const wrongMethod = methodNotAllowed("POST");
export const GET = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
