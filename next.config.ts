import fs from "node:fs";
import path from "node:path";
import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } from "next/constants";
import { exitOnConfigProblems } from "./lib/config-check";

const isDev = process.env.NODE_ENV === "development";
const supabaseOrigin = (() => {
  try {
    return process.env.NEXT_PUBLIC_SUPABASE_URL ? new URL(process.env.NEXT_PUBLIC_SUPABASE_URL).origin : "";
  } catch {
    return "";
  }
})();

/**
 * Content-Security-Policy for every page. script-src needs 'unsafe-inline':
 * Next.js inlines its bootstrap and RSC payload scripts (self.__next_f.push)
 * in every statically rendered page, and nonces would force every page to be
 * rendered per request. The risk that leaves is limited by everything else:
 * no third-party script origins, object-src 'none', base-uri 'self',
 * frame-ancestors 'none', React escaping all rendered text.
 * 'unsafe-eval' only in `next dev` (React's dev tooling evaluates source maps).
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  // Tailwind is a stylesheet, but React and recharts set style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${supabaseOrigin ? ` ${supabaseOrigin}` : ""}${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  // Checkout redirects the browser to Stripe or Paystack after a form post.
  "form-action 'self' https://checkout.stripe.com https://checkout.paystack.com",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  {
    key: "Permissions-Policy",
    value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
  },
  // Ignored by browsers over plain http (local runs); effective behind TLS in production.
  ...(isDev ? [] : [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }]),
];

/**
 * Next 15.5's route runtime loads two optional manifests on every request
 * (`server/subresource-integrity-manifest.json`, `dynamic-css-manifest`). When
 * a file is missing (every build without SRI or pages-router CSS) it uses `{}`
 * but caches nothing, so each request paid two failed reads and two thrown
 * errors: about 3 % of server CPU per webhook in `npm run bench` (seen with
 * strace and a CPU profile). Writing the `{}` Next assumes lets it load them once.
 */
function writeMissingOptionalManifests({ distDir }: { distDir: string }): void {
  for (const file of ["server/subresource-integrity-manifest.json", "dynamic-css-manifest"]) {
    const target = path.join(distDir, file);
    if (!fs.existsSync(target)) fs.writeFileSync(target, "{}");
  }
}

const nextConfig = (phase: string): NextConfig => ({
  // `next dev` builds into .next-dev, so `npm run dev` and `npm run build && npm start` never overwrite each
  // other's files; NEXT_DIST_DIR lets tests, benchmarks and parallel checkouts build side by side.
  distDir: process.env.NEXT_DIST_DIR || (phase === PHASE_DEVELOPMENT_SERVER ? ".next-dev" : ".next"),
  // PGlite ships WASM + data files that must be loaded from node_modules, not bundled;
  // pino: its transports load worker files by path, which bundling breaks (Next lists it by default only from 16.1).
  serverExternalPackages: ["@electric-sql/pglite", "pino"],
  poweredByHeader: false,
  compiler: { runAfterProductionCompile: async (build) => writeMissingOptionalManifests(build) },
  async headers() {
    // Not on provider webhooks (/api/<provider>/webhook): machine-to-machine JSON, never rendered by a
    // browser, and compiling and writing these headers cost ~2 % of the server's CPU per delivery
    // (docs/performance.md). tests/unit/provider-registry.test.ts checks every provider.
    return [
      {
        source: "/:path((?!api/[a-z0-9-]+/webhook$).*)",
        headers: securityHeaders,
      },
    ];
  },
  async rewrites() {
    // The crypto invoice gateway calls a fixed path.
    return [{ source: "/callback/update-invoice", destination: "/api/invoices/webhook" }];
  },
});

export default function config(phase: string): NextConfig {
  // `next start` loads this before it says "Ready" (it does not wait for instrumentation.ts): a bad environment
  // stops the server here, exit code 1, one line per problem (lib/config-check.ts).
  if (phase === PHASE_PRODUCTION_SERVER) exitOnConfigProblems();
  return nextConfig(phase);
}
