// Keeps sessions fresh; sends signed-out visitors from private pages to /login (non-admins get 404 from app/admin/layout.tsx).
// While the environment has problems (only `next dev` serves then), every page shows them instead.
import type { NextRequest } from "next/server";
import { sessionMiddleware } from "@/lib/auth/middleware";
import { configProblems } from "@/lib/config-check";
import { runsInProduction } from "@/lib/env";
import { configProblemPage } from "@/lib/http/config-problem-page";

export function middleware(request: NextRequest) {
  const problems = configProblems();
  if (problems.length > 0) return configProblemPage(request, problems, !runsInProduction());
  return sessionMiddleware(request);
}

export const config = {
  // Node.js runtime: lib/env reads the generated AUTH_SECRET from .data/ in embedded mode.
  runtime: "nodejs",
  // Not for provider webhooks (any /api/<provider>/webhook, so a new provider needs no edit here),
  // Paystack's browser return and machine endpoints (including the /api/v1 spend API, which
  // authenticates with API keys): they carry no session, and skipping middleware saves ~1 ms of
  // CPU per delivery (docs/performance.md). tests/unit/provider-registry.test.ts checks every provider.
  matcher: [
    "/((?!api/(?:[a-z0-9-]+/webhook$|paystack/callback|cron|metrics|health|v1/)|callback/|_next/static|_next/image|favicon.ico).*)",
  ],
};
