// npm run stripe:reconcile [-- --since 2026-11-01T00:00:00Z]: records Stripe events that never reached the webhook (lib/ops/stripe-reconcile.ts).
import { getStripe } from "../lib/checkout/stripe-client";
import { getDb } from "../lib/db";
import { envForScript } from "../lib/config-check";
import { reconcileStripeEvents } from "../lib/ops/stripe-reconcile";

const USAGE = "usage: npm run stripe:reconcile [-- --since <ISO 8601 time, within Stripe's 30 days>]";

function parseSince(argv: string[]): Date | undefined {
  const i = argv.findIndex((a) => a === "--since" || a.startsWith("--since="));
  if (i === -1) {
    if (argv.length > 0) throw new Error(USAGE);
    return undefined;
  }
  const value = argv[i].includes("=") ? argv[i].slice("--since=".length) : argv[i + 1];
  const since = value ? new Date(value) : new Date(NaN);
  if (!value || Number.isNaN(since.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new Error(`--since needs an ISO 8601 time\n${USAGE}`);
  if (since.getTime() > Date.now()) throw new Error("--since is in the future");
  return since;
}

async function main(): Promise<number> {
  const since = parseSince(process.argv.slice(2));
  const env = envForScript();
  if (!env.STRIPE_SECRET_KEY) {
    console.error("STRIPE_SECRET_KEY is not set: there is no Stripe account to reconcile with.");
    return 2;
  }
  if (env.mode === "embedded") {
    console.error(
      "Embedded mode: PGlite allows one process, so the running app's sweep reconciles. Set DATABASE_URL to run this script.",
    );
    return 2;
  }
  const db = getDb();
  try {
    const r = await reconcileStripeEvents(db, getStripe(), { since });
    console.log(
      `listed ${r.listed} event(s) created after ${r.since} in ${r.pages} page(s): ${r.known} already recorded, ` +
        `${r.reconciled} reconciled, ${r.raced} recorded meanwhile by a delivery${r.malformed ? `, ${r.malformed} malformed` : ""}; ` +
        `watermark ${r.watermark ?? "none"}`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`reconciliation failed: ${error.message}`);
    process.exit(1);
  },
);
