// GET /api/v1/openapi.json: the OpenAPI description of /api/v1.
import { json } from "@/lib/http/json";
import { openApiDocument } from "@/lib/spend-api/openapi";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return json(openApiDocument());
}
