// POST /api/v1/holds/{id}/release (Bearer API key): frees a hold without spending, once.
import { releaseHold } from "@/lib/spend-api/hold-routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const POST = releaseHold;

const wrongMethod = methodNotAllowed("POST");
export const GET = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
