/**
 * What each Paystack event means for credits. Pure: the stored payload in, one
 * planned SQL action out.
 * - charge.success → grant the package named in metadata.package_id, once per
 *   reference, only when its price was paid in its currency
 *   (webhook_action_paystack_charge). Paystack's inline checkout lets the
 *   browser set amount and metadata, so a credit count in metadata is never
 *   used: a payment without a package is failed for an admin to see.
 * - refund.processed → take back credits in proportion to the refunds so far
 *   (webhook_action_paystack_refund); other refund states change nothing yet.
 * - charge.dispute.create → take back what is left; .resolve → give it back
 *   when the merchant won (declined), keep it taken when the customer was
 *   refunded (merchant-accepted / auto-accepted), as Stripe's disputes do.
 * The callback route grants charges through the same function, so whichever
 * of webhook and callback arrives second finds the purchase done.
 */
import { paystackChargeAction, paystackRefundAction, reverseAction, type ReversalKind } from "@/lib/db/actions";
import { fail, ignore, record, type Plan } from "@/lib/ingest/types";
import { asUserId, parsePart } from "@/lib/providers/parse";
import {
  keyText,
  paystackDisputeSchema,
  paystackEventId,
  paystackEventSchema,
  paystackRefundSchema,
  paystackTransactionSchema,
  type PaystackEvent,
  type PaystackTransaction,
} from "./schema";

/** Buyer and package named by a Paystack transaction (metadata set when the payment was started). */
export function purchaseOf(tx: PaystackTransaction) {
  return {
    externalId: tx.reference,
    userId: asUserId(keyText(tx.metadata.user_id)),
    email: tx.customer?.email?.trim() || null,
    packageId: keyText(tx.metadata.package_id),
    amountMinor: tx.amount,
    currency: tx.currency.toLowerCase(),
  };
}

/** Resolutions after which the customer has the money back: the merchant lost. */
const DISPUTE_LOST = new Set(["merchant-accepted", "auto-accepted"]);
/** Resolutions after which the merchant keeps the money: the merchant won. */
const DISPUTE_WON = new Set(["declined"]);

function chargeSuccess(event: PaystackEvent, eventId: string): Plan {
  const parsed = parsePart(paystackTransactionSchema, event.data, event.event, "data");
  if (!parsed.ok) return parsed.plan;
  const tx = parsed.value;
  const p = purchaseOf(tx);
  const located = { email: p.email, externalId: p.externalId };
  if (tx.status !== "success")
    return { ...ignore(`charge status ${tx.status ?? "missing"}: nothing to grant`), ...located };
  if (!p.packageId) {
    return {
      ...fail(
        "unknown package: the payment names no package_id (a credit count in metadata is never trusted: the browser can set it)",
      ),
      ...located,
    };
  }
  const { packageId } = p;
  return { ...paystackChargeAction({ ...p, packageId, eventId }), ...located };
}

function refund(event: PaystackEvent, eventId: string): Plan {
  const parsed = parsePart(paystackRefundSchema, event.data, event.event, "data");
  if (!parsed.ok) return parsed.plan;
  const r = parsed.value;
  const externalId = r.transaction_reference;
  if (event.event !== "refund.processed") {
    return {
      ...record(
        `refund of ${externalId} is ${r.status ?? event.event.slice("refund.".length)}: credits unchanged until it is processed`,
      ),
      externalId,
    };
  }
  return {
    // a refund without its own reference is named by the delivery (same body, same id)
    ...paystackRefundAction({ externalId, refundId: keyText(r.refund_reference) ?? eventId, amountMinor: r.amount }),
    externalId,
  };
}

function dispute(event: PaystackEvent): Plan {
  const parsed = parsePart(paystackDisputeSchema, event.data, event.event, "data");
  if (!parsed.ok) return parsed.plan;
  const d = parsed.value;
  const externalId = d.transaction?.reference ?? d.transaction_reference ?? null;
  const id = String(d.id);
  if (!externalId) return ignore(`dispute ${id} names no transaction: not a purchase of ours`);
  const reverse = (kind: ReversalKind): Plan => ({
    ...reverseAction({ provider: "paystack", externalId, kind, reference: id, refundedMinor: null }),
    externalId,
  });
  if (event.event === "charge.dispute.create") return reverse("dispute");
  if (event.event !== "charge.dispute.resolve")
    return { ...record(`dispute ${id} is ${d.status ?? "open"}; credits unchanged`), externalId };
  const resolution = d.resolution?.toLowerCase() ?? "";
  if (DISPUTE_WON.has(resolution)) return reverse("dispute_reinstated");
  if (DISPUTE_LOST.has(resolution)) return reverse("dispute_lost");
  return { ...record(`dispute ${id} resolved as ${d.resolution ?? "unknown"}; credits unchanged`), externalId };
}

export function planPaystackEvent(payload: unknown): Plan {
  const parsed = paystackEventSchema.safeParse(payload);
  if (!parsed.success) return fail("stored payload is not a Paystack event");
  const event = parsed.data;
  const eventId = paystackEventId(event);
  switch (event.event) {
    case "charge.success":
      return chargeSuccess(event, eventId);
    case "refund.pending":
    case "refund.processing":
    case "refund.processed":
    case "refund.failed":
      return refund(event, eventId);
    case "charge.dispute.create":
    case "charge.dispute.remind":
    case "charge.dispute.resolve":
      return dispute(event);
    default:
      return ignore(`unhandled event type ${event.event}`);
  }
}
