/**
 * No route segment has a loading.tsx. Under a loading boundary, the page a
 * server action sends back (after revalidatePath or redirect) is applied in a
 * React transition that intermittently suspends and is never pinged: the form
 * stays "Creating…", or the page never shows "Key revoked", although the
 * action succeeded and its answer arrived (vercel/next.js#98303, open). Measured with Playwright on the production
 * build, creating and revoking API keys 80 times a run while the client chunks
 * arrived late: 2–6 stalls in 80 per run with app/(account)/loading.tsx, none in
 * 160 tries without it. It made tests/e2e/spending.spec.ts flaky.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const APP = path.resolve(import.meta.dirname, "../../app");

function loadingFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return loadingFiles(full);
    return /^loading\.(tsx|ts|jsx|js)$/.test(entry.name) ? [path.relative(APP, full)] : [];
  });
}

describe("route segments", () => {
  it("have no loading.tsx, under which a server action's page update can stall forever", () => {
    expect(loadingFiles(APP)).toEqual([]);
  });
});
