import { randomBytes } from "node:crypto";
import path from "node:path";
import { defineConfig } from "vitest/config";

// This run's tag, in the name of every server database and temp folder the suites make (tests/global-setup.ts).
process.env.TEST_RUN_TAG ??= randomBytes(3).toString("hex");

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  // tsconfig keeps JSX for Next ("preserve"); tests that render a page need it compiled.
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    environment: "node",
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    env: { TEST_RUN_TAG: process.env.TEST_RUN_TAG },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Each file gets fresh env + module state; PGlite instances are per file.
    isolate: true,
  },
});
