// Node-only start-up: validate the environment (throws ConfigError naming the variable), stamp each request with
// its TCP peer (for TRUST_PROXY), open the embedded database outside any request (lib/db/open-at-start.ts says
// why), mirror ADMIN_EMAILS into profiles.is_admin (a removed address loses admin now), start the dev retry sweep
// and, with SMTP_URL, the outbox sender's retry timer.
import { syncAdminsAtStart } from "@/lib/auth/admin-sync";
import { openEmbeddedDatabaseAtStart } from "@/lib/db/open-at-start";
import { getEnv } from "@/lib/env";
import { installPeerAddressHeader } from "@/lib/http/peer-address";
import { startRetryTimer } from "@/lib/ingest/retry-timer";
import { startMailTimer } from "@/lib/mail";

export async function startNodeServer(): Promise<void> {
  getEnv();
  installPeerAddressHeader();
  await openEmbeddedDatabaseAtStart();
  await syncAdminsAtStart();
  startRetryTimer();
  startMailTimer();
}
