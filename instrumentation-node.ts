// Node-only start-up: validate the environment (throws ConfigError naming the variable), stamp each request with
// its TCP peer (for TRUST_PROXY), open the embedded database outside any request (lib/db/open-at-start.ts says
// why), start the dev retry sweep and, with SMTP_URL, the outbox sender's retry timer.
import { openEmbeddedDatabaseAtStart } from "@/lib/db/open-at-start";
import { getEnv } from "@/lib/env";
import { installPeerAddressHeader } from "@/lib/http/peer-address";
import { startRetryTimer } from "@/lib/ingest/retry-timer";
import { startMailTimer } from "@/lib/mail";

export async function startNodeServer(): Promise<void> {
  getEnv();
  installPeerAddressHeader();
  await openEmbeddedDatabaseAtStart();
  startRetryTimer();
  startMailTimer();
}
