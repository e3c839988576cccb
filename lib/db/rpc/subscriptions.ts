/** Typed calls of supabase/schemas/070_subscriptions.sql: the plans on sale and a user's subscriptions. */
import { z } from "zod";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

export const creditPlan = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  credits_per_period: int,
  amount_minor: int,
  currency: z.string(),
  billing_interval: z.enum(["month"]),
  stripe_price_id: z.string().nullable(),
});
export type CreditPlan = z.infer<typeof creditPlan>;

export async function listActivePlans(db: Database): Promise<CreditPlan[]> {
  return z.array(creditPlan).parse(await db.rpc("list_active_plans", {}, { returns: "rows" }));
}

export async function getActivePlan(db: Database, id: string): Promise<CreditPlan | null> {
  const row = await db.rpc("get_active_plan", { p_id: id });
  return row === null ? null : creditPlan.parse(row);
}

/** Statuses in which Stripe may still bill the subscription: subscribing again to its plan is refused. */
export const LIVE_STATUSES = ["active", "trialing", "past_due", "unpaid", "incomplete", "paused"] as const;

export const userSubscription = z.object({
  id: uuid,
  external_id: z.string(),
  customer_id: z.string().nullable(),
  status: z.string(),
  plan_id: z.string().nullable(),
  plan_name: z.string().nullable(),
  credits_per_period: int.nullable(),
  amount_minor: int.nullable(),
  currency: z.string().nullable(),
  current_period_end: timestamp.nullable(),
  cancel_at_period_end: z.boolean(),
  latest_invoice_id: z.string().nullable(),
  failed_invoice_id: z.string().nullable(),
  last_payment_error: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type UserSubscription = z.infer<typeof userSubscription>;

export const isLive = (s: Pick<UserSubscription, "status">): boolean =>
  (LIVE_STATUSES as readonly string[]).includes(s.status);

/** One user's subscriptions, live ones first (the user id comes from the session or an admin page, never a request body). */
export async function listUserSubscriptions(db: Database, userId: string): Promise<UserSubscription[]> {
  return z
    .array(userSubscription)
    .parse(await db.rpc("list_user_subscriptions", { p_user_id: userId }, { returns: "rows" }));
}
