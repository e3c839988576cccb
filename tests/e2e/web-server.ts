/**
 * Playwright's web server: the production build of the current sources (built
 * in a snapshot outside the repository, reused while the sources are
 * unchanged; see tests/helpers/server.ts), started with `next start` on
 * E2E_PORT with the environment playwright.config.ts passes. Runs until
 * Playwright stops it.
 */
import fs from "node:fs";
import path from "node:path";
import { ensureBuild, startNextServer } from "../helpers/server";

const APP_VARIABLES = [
  "APP_DATA_DIR",
  "PGLITE_DIR",
  "ADMIN_EMAILS",
  "STRIPE_WEBHOOK_SECRET",
  "APP_URL",
  "AUTH_SECRET",
  "LOCAL_TEST_CHECKOUT",
  "SMTP_URL",
  "TRUST_PROXY",
] as const;

const port = Number(process.env.E2E_PORT);
const env = Object.fromEntries(
  APP_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
);

const build = await ensureBuild({ distDir: process.env.E2E_DIST_DIR ?? ".next-e2e", log: console.log });
console.log(build.built ? `built in ${build.seconds.toFixed(0)} s` : "reusing the build of these sources");
const server = await startNextServer({ build, port, env, timeoutMs: 120_000 });
console.log(`ready on ${server.url}`);

/** The per-run data folder playwright.config.ts made under the temp dir goes with the server. */
function removeRunData(): void {
  const dir = process.env.APP_DATA_DIR;
  if (dir && path.basename(dir).startsWith("credits-e2e-")) fs.rmSync(dir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(
    signal,
    () =>
      void server
        .stop()
        .then(removeRunData)
        .then(() => process.exit(0)),
  );
}
process.exitCode = (await server.exited) ?? 1;
