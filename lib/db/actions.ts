/**
 * The typed seam between the providers' planners and the SQL actions.
 *
 * A planned action is `{ action: "<name>", args }`; `ingest_webhook_event`
 * and `retry_webhook_event` run `webhook_action_<name>(args)`, which reads
 * `args` by key (`p_args ->> 'external_id'`). A key spelled differently on the
 * two sides would silently read as null, so every action is built here and
 * only here: one builder per SQL function, camelCase in, the SQL function's
 * keys out, every key always present (null when unknown). The JSDoc names the
 * function and the schema file that defines it.
 *
 * Each builder `satisfies` the keys its function reads, as generated from the
 * SQL (WebhookActionArgs, `npm run db:types`): renaming a key on either side
 * breaks `tsc`. tests/integration/action-seam.test.ts also checks, against the
 * migrated database, that each builder writes exactly those keys, that every
 * `webhook_action_*` function has a builder and a static call in
 * run_webhook_action, and that the schema file named here defines it.
 */
import type { PaymentProviderName } from "@/lib/providers/names";
import type { WebhookActionArgs } from "./generated/database";

/** A planned call of webhook_action_<N>: its name and the keys it reads. */
type Action<N extends keyof WebhookActionArgs> = { action: N; args: WebhookActionArgs[N] };

/** What a reversal does to a purchase's credits (reverse_purchase_credits). */
export type ReversalKind = "refund" | "dispute" | "dispute_reinstated" | "dispute_lost";

/** An id list for a jsonb array key: SQL reads these with `p_args -> 'key'`, so they are never null. */
type Ids = string[];

/**
 * `webhook_action_none`: nothing to change; the event is stored with this status and outcome.
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const noneAction = (status: "processed" | "ignored", outcome: string) =>
  ({ action: "none", args: { status, outcome } }) satisfies Action<"none">;

/**
 * `webhook_action_fail`: the event is stored as failed with this reason (the sweep retries it).
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const failAction = (reason: string) => ({ action: "fail", args: { reason } }) satisfies Action<"fail">;

/**
 * `webhook_action_grant`: grant_credits_for_purchase, once per (provider, external id).
 * A package id wins over a credit count: its credits are the price list's, not the caller's.
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const grantAction = (a: {
  provider: PaymentProviderName;
  externalId: string;
  userId: string | null;
  email: string | null;
  packageId: string | null;
  credits: number | null;
  amountMinor: number;
  currency: string;
  eventId: string;
}) =>
  ({
    action: "grant",
    args: {
      provider: a.provider,
      external_id: a.externalId,
      user_id: a.userId,
      email: a.email,
      credits: a.packageId ? null : a.credits,
      package_id: a.packageId,
      amount_minor: a.amountMinor,
      currency: a.currency,
      event_id: a.eventId,
    },
  }) satisfies Action<"grant">;

/**
 * `webhook_action_reverse`: reverse_purchase_credits for the purchase `externalId` names.
 * `refundedMinor` is the total refunded so far (cumulative), null for disputes.
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const reverseAction = (a: {
  provider: PaymentProviderName;
  externalId: string;
  kind: ReversalKind;
  reference: string;
  refundedMinor: number | null;
}) =>
  ({
    action: "reverse",
    args: {
      provider: a.provider,
      external_id: a.externalId,
      kind: a.kind,
      reference: a.reference,
      refunded_minor: a.refundedMinor,
    },
  }) satisfies Action<"reverse">;

/**
 * `webhook_action_reverse_payment`: a reversal named by payment ids (a payment intent, a charge, an
 * invoice), tried in order against the purchases and their linked payments, then webhook_action_reverse.
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const reversePaymentAction = (a: {
  provider: PaymentProviderName;
  paymentIds: Ids;
  kind: ReversalKind;
  reference: string;
  refundedMinor: number | null;
}) =>
  ({
    action: "reverse_payment",
    args: {
      provider: a.provider,
      payment_ids: a.paymentIds,
      kind: a.kind,
      reference: a.reference,
      refunded_minor: a.refundedMinor,
    },
  }) satisfies Action<"reverse_payment">;

/**
 * `webhook_action_link_payment`: records which payments paid the purchase `externalId` (an invoice).
 * @sql supabase/schemas/060_webhook_events.sql
 */
export const linkPaymentAction = (a: {
  provider: PaymentProviderName;
  externalId: string;
  paymentIds: Ids;
  eventId: string;
}) =>
  ({
    action: "link_payment",
    args: { provider: a.provider, external_id: a.externalId, payment_ids: a.paymentIds, event_id: a.eventId },
  }) satisfies Action<"link_payment">;

/** The buyer and plan an invoice or subscription names (subscription actions share them). */
interface SubscriptionParty {
  customerId: string | null;
  userId: string | null;
  email: string | null;
  planId: string | null;
  priceIds: Ids;
}

const partyArgs = (a: SubscriptionParty) => ({
  customer_id: a.customerId,
  user_id: a.userId,
  email: a.email,
  plan_id: a.planId,
  price_ids: a.priceIds,
});

/**
 * `webhook_action_subscription`: upsert_subscription; an older event than the stored state is ignored.
 * @sql supabase/schemas/070_subscriptions.sql
 */
export const subscriptionAction = (
  a: SubscriptionParty & {
    provider: PaymentProviderName;
    externalId: string;
    status: string;
    packageId: string | null;
    creditsPerPeriod: number | null;
    currentPeriodEnd: string | null;
    cancelAtPeriodEnd: boolean;
    eventAt: string | null;
  },
) =>
  ({
    action: "subscription",
    args: {
      provider: a.provider,
      external_id: a.externalId,
      status: a.status,
      ...partyArgs(a),
      package_id: a.packageId,
      credits_per_period: a.creditsPerPeriod,
      current_period_end: a.currentPeriodEnd,
      cancel_at_period_end: a.cancelAtPeriodEnd,
      event_at: a.eventAt,
    },
  }) satisfies Action<"subscription">;

/** One line of an invoice: its Price and what it charged (negative for a proration's credit; null when unknown). */
export interface InvoiceLine {
  price: string | null;
  amount: number | null;
}

/**
 * `webhook_action_subscription_invoice_paid`: what an invoice paid decides what it grants, once per invoice
 * (the plan of the largest positive line, else the package, else `credits`): a period's invoice that paid the
 * plan's price grants a period, a proration (`billingReason` subscription_update) its share, $0 nothing
 * (ignored); links the invoice's payments, keeps the subscription.
 * @sql supabase/schemas/070_subscriptions.sql
 */
export const subscriptionInvoicePaidAction = (
  a: SubscriptionParty & {
    invoiceId: string;
    subscriptionId: string;
    packageId: string | null;
    credits: number | null;
    billingReason: string | null;
    lines: InvoiceLine[];
    amountMinor: number;
    currency: string;
    paymentIds: Ids;
    periodEnd: string | null;
    eventAt: string | null;
    eventId: string;
  },
) =>
  ({
    action: "subscription_invoice_paid",
    args: {
      invoice_id: a.invoiceId,
      subscription_id: a.subscriptionId,
      ...partyArgs(a),
      package_id: a.packageId,
      credits: a.packageId ? null : a.credits,
      billing_reason: a.billingReason,
      lines: a.lines,
      amount_minor: a.amountMinor,
      currency: a.currency,
      payment_ids: a.paymentIds,
      period_end: a.periodEnd,
      event_at: a.eventAt,
      event_id: a.eventId,
    },
  }) satisfies Action<"subscription_invoice_paid">;

/**
 * `webhook_action_subscription_payment_failed`: marks the subscription past due with the reason.
 * @sql supabase/schemas/070_subscriptions.sql
 */
export const subscriptionPaymentFailedAction = (
  a: SubscriptionParty & { invoiceId: string; subscriptionId: string; reason: string; eventAt: string | null },
) =>
  ({
    action: "subscription_payment_failed",
    args: {
      invoice_id: a.invoiceId,
      subscription_id: a.subscriptionId,
      ...partyArgs(a),
      reason: a.reason,
      event_at: a.eventAt,
    },
  }) satisfies Action<"subscription_payment_failed">;

/**
 * `webhook_action_paystack_charge`: a charge.success; grants the named package once per reference,
 * only when at least its price was paid in its currency (then webhook_action_grant without `credits`).
 * @sql supabase/schemas/080_providers.sql
 */
export const paystackChargeAction = (a: {
  externalId: string;
  userId: string | null;
  email: string | null;
  packageId: string;
  amountMinor: number;
  currency: string;
  eventId: string;
}) =>
  ({
    action: "paystack_charge",
    args: {
      provider: "paystack",
      external_id: a.externalId,
      user_id: a.userId,
      email: a.email,
      package_id: a.packageId,
      amount_minor: a.amountMinor,
      currency: a.currency,
      event_id: a.eventId,
    },
  }) satisfies Action<"paystack_charge">;

/**
 * `webhook_action_paystack_refund`: stores the refund once (by `refundId`) and reverses credits for
 * the sum of the payment's refunds.
 * @sql supabase/schemas/080_providers.sql
 */
export const paystackRefundAction = (a: { externalId: string; refundId: string; amountMinor: number }) =>
  ({
    action: "paystack_refund",
    args: { external_id: a.externalId, refund_id: a.refundId, amount_minor: a.amountMinor },
  }) satisfies Action<"paystack_refund">;

/**
 * `webhook_action_fireblocks_transfer`: a COMPLETED transfer from outside; credited when it reached
 * one of our deposit addresses in that address's asset, at the stored rate.
 * @sql supabase/schemas/080_providers.sql
 */
export const fireblocksTransferAction = (a: {
  txId: string;
  address: string | null;
  assetId: string | null;
  sourceType: string;
  amount: string | number;
  amountUsd: string | null;
  eventId: string;
}) =>
  ({
    action: "fireblocks_transfer",
    args: {
      tx_id: a.txId,
      address: a.address,
      asset_id: a.assetId,
      source_type: a.sourceType,
      amount: a.amount,
      amount_usd: a.amountUsd,
      event_id: a.eventId,
    },
  }) satisfies Action<"fireblocks_transfer">;

/**
 * `webhook_action_invoice_update`: the crypto invoice's state machine under a row lock; Complete
 * grants the invoice's package once.
 * @sql supabase/schemas/080_providers.sql
 */
export const invoiceUpdateAction = (a: {
  invoiceId: string;
  state: string;
  eventAt: string | null;
  cashAmount: string | number | null;
  cryptoAmount: string | number | null;
  reason: string | null;
  receivedAmount: string | number | null;
  expectedAmount: string | number | null;
  eventId: string;
}) =>
  ({
    action: "invoice_update",
    args: {
      invoice_id: a.invoiceId,
      state: a.state,
      event_at: a.eventAt,
      cash_amount: a.cashAmount,
      crypto_amount: a.cryptoAmount,
      reason: a.reason,
      received_amount: a.receivedAmount,
      expected_amount: a.expectedAmount,
      event_id: a.eventId,
    },
  }) satisfies Action<"invoice_update">;

/**
 * `webhook_action_trading_alert`: stores one trading_alerts row. No trade is ever executed.
 * @sql supabase/schemas/080_providers.sql
 */
export const tradingAlertAction = (a: {
  eventId: string;
  ticker: string | null;
  side: string | null;
  message: string | null;
  payload: unknown;
}) =>
  ({
    action: "trading_alert",
    args: { event_id: a.eventId, ticker: a.ticker, action: a.side, message: a.message, payload: a.payload },
  }) satisfies Action<"trading_alert">;

/**
 * `webhook_action_grant_save_card`: a paid checkout whose buyer ticked "Save this card for automatic top-ups":
 * webhook_action_grant, then save_card (the customer, and the payment method when the event names it; a test card
 * from the local test checkout).
 * @sql supabase/schemas/097_topups.sql
 */
export const grantSaveCardAction = (
  a: Parameters<typeof grantAction>[0] & { customerId: string; paymentMethodId: string | null; testCard: boolean },
) =>
  ({
    action: "grant_save_card",
    args: {
      ...grantAction(a).args,
      customer_id: a.customerId,
      payment_method_id: a.paymentMethodId,
      test_card: a.testCard,
    },
  }) satisfies Action<"grant_save_card">;

/**
 * `webhook_action_topup_succeeded`: payment_intent.succeeded of an automatic top-up (metadata.topup_id): the pack
 * granted once as a purchase keyed by the PaymentIntent, the attempt marked succeeded.
 * @sql supabase/schemas/097_topups.sql
 */
export const topupSucceededAction = (a: {
  topupId: string;
  externalId: string;
  userId: string | null;
  packageId: string | null;
  amountMinor: number;
  currency: string;
  eventId: string;
}) =>
  ({
    action: "topup_succeeded",
    args: {
      topup_id: a.topupId,
      external_id: a.externalId,
      user_id: a.userId,
      package_id: a.packageId,
      amount_minor: a.amountMinor,
      currency: a.currency,
      event_id: a.eventId,
    },
  }) satisfies Action<"topup_succeeded">;

/**
 * `webhook_action_topup_failed`: payment_intent.payment_failed of an automatic top-up: the attempt fails once
 * (mail; three in a row turn automatic top-up off).
 * @sql supabase/schemas/097_topups.sql
 */
export const topupFailedAction = (a: { topupId: string; externalId: string; reason: string; code: string | null }) =>
  ({
    action: "topup_failed",
    args: { topup_id: a.topupId, external_id: a.externalId, reason: a.reason, code: a.code },
  }) satisfies Action<"topup_failed">;

/** Every builder by its action name: one per webhook_action_* function of the SQL, no more, no fewer. */
export const ACTION_BUILDERS = {
  none: noneAction,
  fail: failAction,
  grant: grantAction,
  reverse: reverseAction,
  reverse_payment: reversePaymentAction,
  link_payment: linkPaymentAction,
  subscription: subscriptionAction,
  subscription_invoice_paid: subscriptionInvoicePaidAction,
  subscription_payment_failed: subscriptionPaymentFailedAction,
  paystack_charge: paystackChargeAction,
  paystack_refund: paystackRefundAction,
  fireblocks_transfer: fireblocksTransferAction,
  invoice_update: invoiceUpdateAction,
  trading_alert: tradingAlertAction,
  grant_save_card: grantSaveCardAction,
  topup_succeeded: topupSucceededAction,
  topup_failed: topupFailedAction,
} as const satisfies { [N in keyof WebhookActionArgs]: (...args: never[]) => Action<N> };

type Builders = typeof ACTION_BUILDERS;
export type ActionName = keyof Builders;

/** A planned SQL action: only the builders above make these (the union is of their return types). */
export type WebhookAction = { [N in ActionName]: ReturnType<Builders[N]> }[ActionName];
