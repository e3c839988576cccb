/**
 * The benchmark's traffic: unique signed `checkout.session.completed` events,
 * plus a share of redeliveries (the same event again, re-signed with a fresh
 * timestamp as Stripe does), each placed somewhere after its original so some
 * race it and some arrive later. Everything is generated before the clock starts.
 */
import { randomBytes } from "node:crypto";
import Stripe from "stripe";

export interface Delivery {
  eventId: string;
  paymentId: string;
  body: string;
  signature: string;
  redelivery: boolean;
}

export interface TrafficOptions {
  /** Total requests, redeliveries included. */
  count: number;
  /** Share of `count` that are redeliveries (0..0.9). */
  duplicateShare: number;
  secret: string;
  /** Buyers: client_reference_id of existing accounts. */
  userIds: string[];
  /** Distinguishes this run's payments (external ids start with it). */
  runTag: string;
  packageId?: string;
}

/** A deterministic-enough shuffle source; Math.random is fine for traffic shape. */
const randomInt = (n: number) => Math.floor(Math.random() * n);

export function signedDelivery(body: string, secret: string): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
}

export function checkoutCompletedEvent(options: { runTag: string; index: number; userId: string; packageId: string }) {
  const suffix = `${options.runTag}_${options.index}_${randomBytes(4).toString("hex")}`;
  return {
    id: `evt_bench_${suffix}`,
    object: "event",
    api_version: "2025-03-31.basil",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "checkout.session.completed",
    data: {
      object: {
        id: `cs_bench_${suffix}`,
        object: "checkout.session",
        mode: "payment",
        payment_status: "paid",
        status: "complete",
        payment_intent: `pi_bench_${suffix}`,
        client_reference_id: options.userId,
        customer_details: { email: null },
        customer_email: null,
        metadata: { package_id: options.packageId },
        amount_total: 500,
        currency: "usd",
      },
    },
  };
}

export function generateTraffic(options: TrafficOptions): Delivery[] {
  const duplicates = Math.round(options.count * options.duplicateShare);
  const unique = options.count - duplicates;
  const originals: Delivery[] = [];
  for (let i = 0; i < unique; i++) {
    const event = checkoutCompletedEvent({
      runTag: options.runTag,
      index: i,
      userId: options.userIds[i % options.userIds.length],
      packageId: options.packageId ?? "starter",
    });
    const body = JSON.stringify(event);
    originals.push({
      eventId: event.id,
      paymentId: event.data.object.payment_intent,
      body,
      signature: signedDelivery(body, options.secret),
      redelivery: false,
    });
  }
  // Each redelivery goes somewhere after its original: sometimes right behind it (a race), usually later.
  const slots: Delivery[][] = originals.map((d) => [d]);
  for (let i = 0; i < duplicates; i++) {
    const original = randomInt(unique);
    const later = Math.min(unique - 1, original + (Math.random() < 0.25 ? randomInt(8) : randomInt(unique - original)));
    slots[later].push({ ...originals[original], signature: signedDelivery(originals[original].body, options.secret), redelivery: true });
  }
  return slots.flat();
}
