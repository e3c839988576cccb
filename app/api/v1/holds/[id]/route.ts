// GET /api/v1/holds/{id} (Bearer API key): one of the key owner's holds.
import { getHold } from "@/lib/spend-api/hold-routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const GET = getHold;

const wrongMethod = methodNotAllowed("GET, HEAD");
export const POST = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
