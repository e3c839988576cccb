import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Lets tests, benchmarks and parallel checkouts build side by side without sharing .next.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships WASM + data files that must be loaded from node_modules, not bundled.
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  async rewrites() {
    // The crypto invoice gateway calls a fixed path.
    return [{ source: "/callback/update-invoice", destination: "/api/invoices/webhook" }];
  },
};

export default nextConfig;
