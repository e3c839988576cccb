// GET /api/v1/openapi.json: the OpenAPI description of /api/v1.
import { json } from "@/lib/http/json";
import { openApiDocument } from "@/lib/spend-api/openapi";
import { methodNotAllowed } from "@/lib/spend-api/responses";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return json(openApiDocument());
}

const wrongMethod = methodNotAllowed("GET, HEAD");
export const POST = wrongMethod;
export const PUT = wrongMethod;
export const PATCH = wrongMethod;
export const DELETE = wrongMethod;
