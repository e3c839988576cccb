// Node-only start-up: check the environment (lib/config-check.ts: `next start` has exited already on a bad one;
// `next dev` prints it and serves it on every page, starting nothing else), stamp each request with its TCP peer
// (for TRUST_PROXY), open the embedded database outside any request (lib/db/open-at-start.ts says why), mirror
// ADMIN_EMAILS into profiles.is_admin (a removed address loses admin now), write CREDIT_PACK_EXPIRY_DAYS into the
// database, start the dev retry sweep and, with SMTP_URL, the outbox sender's retry timer, the outgoing webhook
// sender (every 5 s; its first run writes LOW_BALANCE_THRESHOLD to the database) and the automatic top-up worker.
import { syncAdminsAtStart } from "@/lib/auth/admin-sync";
import { checkConfigAtStart } from "@/lib/config-check";
import { openEmbeddedDatabaseAtStart } from "@/lib/db/open-at-start";
import { installPeerAddressHeader } from "@/lib/http/peer-address";
import { startRetryTimer } from "@/lib/ingest/retry-timer";
import { startMailTimer } from "@/lib/mail";
import { writeCreditSettingsAtStart } from "@/lib/ops/credit-expiry";
import { startWebhookTimer } from "@/lib/outgoing-webhooks";
import { startTopupTimer } from "@/lib/topups/worker";

export async function startNodeServer(): Promise<void> {
  if (!checkConfigAtStart()) return;
  installPeerAddressHeader();
  await openEmbeddedDatabaseAtStart();
  await syncAdminsAtStart();
  void writeCreditSettingsAtStart();
  startRetryTimer();
  startMailTimer();
  startWebhookTimer();
  startTopupTimer();
}
