/**
 * What middleware answers while the environment has problems (lib/config-check.ts). Only
 * `next dev` serves in that state (`next start` exits before it is ready), so every page lists
 * every problem and what to do; should a production server ever get here, the answer says
 * only that the service is not configured (the details are in its log).
 */
import { NextResponse, type NextRequest } from "next/server";
import type { ConfigProblem } from "@/lib/env";
import { escapeHtml, plainPage } from "./plain-page";

export function configProblemPage(request: NextRequest, problems: ConfigProblem[], detailed: boolean): NextResponse {
  const pageLoad =
    (request.method === "GET" || request.method === "HEAD") && !request.nextUrl.pathname.startsWith("/api/");
  if (!pageLoad) {
    return NextResponse.json(
      { error: "misconfigured", ...(detailed ? { problems } : {}) },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
  if (!detailed) {
    return plainPage({
      title: "Not configured",
      status: 503,
      main: `<p class="kicker">Not configured</p>
<h1>This service is not configured correctly</h1>
<p class="lead">Nothing was changed. The server log says what to fix.</p>`,
    });
  }
  const items = problems
    .map((p) => `<li><code>${escapeHtml(p.variable)}</code>: ${escapeHtml(p.message)}</li>`)
    .join("\n");
  return plainPage({
    title: "Configuration problem",
    status: 503,
    wide: true,
    main: `<p class="kicker">Configuration problem</p>
<h1>The environment has ${problems.length} problem${problems.length === 1 ? "" : "s"}</h1>
<p class="lead">Every page shows this until they are fixed. Fix them in <code>.env</code> (or wherever the server's environment comes from) and restart <code>npm run dev</code>; <code>.env.example</code> describes every variable.</p>
<ul class="problems">
${items}
</ul>`,
  });
}
