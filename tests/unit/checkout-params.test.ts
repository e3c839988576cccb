/**
 * What we ask Stripe Checkout for: the webhook later reads exactly these fields (metadata, client
 * reference) to find the buyer and the product, and the price must be the catalogue's.
 */
import { describe, expect, it } from "vitest";
import { subscriptionCheckoutParams } from "@/lib/checkout/plan-checkout";
import { checkoutSessionParams } from "@/lib/checkout/stripe-checkout";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import type { CreditPlan } from "@/lib/db/rpc/subscriptions";
import { confirmedSession } from "../helpers/sessions";

const APP = "https://credits.example.com";
const buyer = confirmedSession("8f0c5a52-4a3b-4d6e-9a31-6b0f1c2d3e4f", "buyer@example.com");
const pack: CreditPackage = {
  id: "pro",
  name: "Pro",
  description: "",
  credits: 5500,
  amount_minor: 4900,
  currency: "usd",
  stripe_price_id: null,
};
const plan: CreditPlan = {
  id: "monthly",
  name: "Monthly",
  description: "",
  credits_per_period: 600,
  amount_minor: 1900,
  currency: "eur",
  billing_interval: "month",
  stripe_price_id: null,
};

describe("Checkout Session parameters", () => {
  it("prices a pack inline from the catalogue when it has no Stripe Price, and names buyer and pack", () => {
    const params = checkoutSessionParams({ buyer, pack }, APP);
    expect(params).toMatchObject({
      mode: "payment",
      client_reference_id: buyer.userId,
      customer_email: buyer.email,
      metadata: { package_id: "pro", user_id: buyer.userId },
      payment_intent_data: { metadata: { package_id: "pro", user_id: buyer.userId } },
      success_url: `${APP}/wallet?checkout=success`,
      cancel_url: `${APP}/wallet?checkout=cancelled`,
    });
    expect(params.line_items).toEqual([
      {
        quantity: 1,
        price_data: { currency: "usd", unit_amount: 4900, product_data: { name: "Pro: 5,500 credits" } },
      },
    ]);
  });

  it("with “Save this card for automatic top-ups”, pays for a Customer and keeps the card for off-session charges", () => {
    const fresh = checkoutSessionParams({ buyer, pack, saveCard: true }, APP);
    expect(fresh).toMatchObject({
      customer_creation: "always",
      customer_email: buyer.email,
      metadata: { package_id: "pro", user_id: buyer.userId, save_card: "1" },
      payment_intent_data: {
        setup_future_usage: "off_session",
        metadata: { package_id: "pro", user_id: buyer.userId, save_card: "1" },
      },
      success_url: `${APP}/settings/top-up?card=saved`,
    });
    // the buyer's saved Customer is reused (Stripe refuses customer_email beside it)
    const again = checkoutSessionParams({ buyer, pack, saveCard: true }, APP, "cus_123");
    expect(again).toMatchObject({ customer: "cus_123" });
    expect(again).not.toHaveProperty("customer_email");
    expect(again).not.toHaveProperty("customer_creation");
    // without the box: no Customer, no saved card
    const plain = checkoutSessionParams({ buyer, pack, saveCard: false }, APP, "cus_123");
    expect(plain).not.toHaveProperty("customer");
    expect(plain.payment_intent_data).not.toHaveProperty("setup_future_usage");
    expect(plain.metadata).not.toHaveProperty("save_card");
  });

  it("uses the pack's own Stripe Price when it is set", () => {
    const params = checkoutSessionParams({ buyer, pack: { ...pack, stripe_price_id: "price_1" } }, APP);
    expect(params.line_items).toEqual([{ price: "price_1", quantity: 1 }]);
  });

  it("prices a plan inline as a recurring price, and names buyer and plan on the subscription", () => {
    const params = subscriptionCheckoutParams({ buyer, plan }, APP, null);
    expect(params).toMatchObject({
      mode: "subscription",
      client_reference_id: buyer.userId,
      subscription_data: { metadata: { plan_id: "monthly", user_id: buyer.userId } },
      success_url: `${APP}/wallet?checkout=subscribed`,
    });
    expect(params.line_items).toEqual([
      {
        quantity: 1,
        price_data: {
          currency: "eur",
          unit_amount: 1900,
          recurring: { interval: "month" },
          product_data: { name: "Monthly: 600 credits every month" },
        },
      },
    ]);
    const priced = subscriptionCheckoutParams({ buyer, plan: { ...plan, stripe_price_id: "price_2" } }, APP, null);
    expect(priced.line_items).toEqual([{ price: "price_2", quantity: 1 }]);
  });
});
