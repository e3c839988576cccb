// Node-only start-up: validate the environment (throws ConfigError naming the variable), open the
// embedded database outside any request (lib/db/open-at-start.ts says why), start the dev retry sweep.
import { openEmbeddedDatabaseAtStart } from "@/lib/db/open-at-start";
import { getEnv } from "@/lib/env";
import { startRetryTimer } from "@/lib/ingest/retry-timer";

export async function startNodeServer(): Promise<void> {
  getEnv();
  await openEmbeddedDatabaseAtStart();
  startRetryTimer();
}
