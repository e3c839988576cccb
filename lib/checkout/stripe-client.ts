/**
 * The Stripe API client for creating Checkout Sessions. STRIPE_API_BASE points
 * it elsewhere (tests run a local fake of the Stripe API); it exists only when
 * STRIPE_SECRET_KEY is set.
 */
import Stripe from "stripe";
import { getEnv } from "@/lib/env";

let client: Stripe | undefined;
let clientKey: string | undefined;

export function getStripe(): Stripe {
  const env = getEnv();
  if (!env.STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set");
  const cacheKey = `${env.STRIPE_SECRET_KEY}|${env.STRIPE_API_BASE ?? ""}`;
  if (!client || clientKey !== cacheKey) {
    const base = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined;
    client = new Stripe(env.STRIPE_SECRET_KEY, {
      appInfo: { name: "credits" },
      ...(base && {
        host: base.hostname,
        port: base.port || (base.protocol === "https:" ? 443 : 80),
        protocol: base.protocol === "https:" ? "https" : "http",
      }),
    });
    clientKey = cacheKey;
  }
  return client;
}
