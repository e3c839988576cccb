// POST /api/v1/holds/{id}/capture (Bearer API key): spends all or part of a hold, once; frees the rest.
import { captureHold } from "@/lib/spend-api/hold-routes";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export const POST = captureHold;

const wrongMethod = methodNotAllowed("POST");
export const GET = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
