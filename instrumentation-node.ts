// Node-only start-up: validate the environment (throws ConfigError naming the variable).
import { getEnv } from "@/lib/env";

getEnv();
