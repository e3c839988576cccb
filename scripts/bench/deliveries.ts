/**
 * The benchmark's traffic: unique signed `checkout.session.completed` events,
 * plus a share of redeliveries (the same event again, re-signed with a fresh
 * timestamp as Stripe does), each placed somewhere after its original so some
 * race it and some arrive later. Everything is generated before the clock starts.
 */
import Stripe from "stripe";
import { paidCheckoutEvent } from "../../lib/providers/stripe/test-events";

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
  return paidCheckoutEvent({
    idTag: `bench_${options.runTag}_${options.index}`,
    packageId: options.packageId,
    amountMinor: 500,
    userId: options.userId,
  });
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
    slots[later].push({
      ...originals[original],
      signature: signedDelivery(originals[original].body, options.secret),
      redelivery: true,
    });
  }
  return slots.flat();
}
