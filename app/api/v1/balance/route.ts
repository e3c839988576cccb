// GET /api/v1/balance (Bearer API key): the key owner's balance.
import { getBalance } from "@/lib/spend-api/routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const GET = getBalance;

const wrongMethod = methodNotAllowed("GET, HEAD");
export const POST = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
