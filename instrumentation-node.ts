// Node-only start-up: validate the environment (throws ConfigError naming the variable), start the dev retry sweep.
import { getEnv } from "@/lib/env";
import { startRetryTimer } from "@/lib/ingest/retry-timer";

getEnv();
startRetryTimer();
