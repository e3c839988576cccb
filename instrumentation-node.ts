// Node-only start-up: validate the environment (throws ConfigError naming the variable), stamp each request with
// its TCP peer (for TRUST_PROXY), start the dev retry sweep and, with SMTP_URL, the outbox sender's retry timer.
import { getEnv } from "@/lib/env";
import { installPeerAddressHeader } from "@/lib/http/peer-address";
import { startRetryTimer } from "@/lib/ingest/retry-timer";
import { startMailTimer } from "@/lib/mail";

getEnv();
installPeerAddressHeader();
startRetryTimer();
startMailTimer();
