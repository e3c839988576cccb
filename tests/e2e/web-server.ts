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
  "OUTGOING_WEBHOOKS_ALLOW_PRIVATE",
] as const;

const port = Number(process.env.E2E_PORT);
const env = Object.fromEntries(
  APP_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
);

/** The per-run data folder playwright.config.ts named under the temp dir: made here, and gone with the server. */
const runData = process.env.APP_DATA_DIR;
const ownsRunData = runData !== undefined && path.basename(runData).startsWith("credits-e2e-");
const removeRunData = () => {
  if (ownsRunData) fs.rmSync(runData, { recursive: true, force: true, maxRetries: 5 });
};
if (ownsRunData) fs.mkdirSync(runData, { recursive: true, mode: 0o700 });

let server: Awaited<ReturnType<typeof startNextServer>> | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void (server?.stop() ?? Promise.resolve()).finally(() => {
      removeRunData();
      process.exit(0);
    });
  });
}
try {
  const build = await ensureBuild({ distDir: process.env.E2E_DIST_DIR ?? ".next-e2e", log: console.log });
  console.log(build.built ? `built in ${build.seconds.toFixed(0)} s` : "reusing the build of these sources");
  server = await startNextServer({ build, port, env, timeoutMs: 120_000 });
  console.log(`ready on ${server.url}`);
  process.exitCode = (await server.exited) ?? 1;
} finally {
  removeRunData(); // also when the build fails or the server dies on its own
}
