// POST /api/v1/holds (Bearer API key, Idempotency-Key): reserves credits; GET lists the key owner's holds.
import { listHolds, postHold } from "@/lib/spend-api/hold-routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const POST = postHold;
export const GET = listHolds;

const wrongMethod = methodNotAllowed("GET, HEAD, POST");
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
