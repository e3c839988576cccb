/**
 * charge.success → grant once per data.reference (webhook_action_paystack_charge
 * checks the amount against the package first). The callback route grants the
 * same purchase through the same function, so whichever arrives second finds it done.
 */
import { fail, ignore, type Plan } from "@/lib/ingest/types";
import { paystackEventId, paystackEventSchema, paystackTransactionSchema, type PaystackTransaction } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const metaText = (value: unknown): string | null =>
  typeof value === "string" && value.trim() ? value.trim() : typeof value === "number" ? String(value) : null;

/** Buyer and credits named by a Paystack transaction (metadata set when the payment was started). */
export function purchaseOf(tx: PaystackTransaction) {
  const userId = metaText(tx.metadata.user_id);
  const credits = metaText(tx.metadata.credits);
  return {
    externalId: tx.reference,
    userId: userId && UUID.test(userId) ? userId : null,
    email: tx.customer?.email?.trim() || null,
    packageId: metaText(tx.metadata.package_id),
    credits: credits && /^\d{1,15}$/.test(credits) && Number(credits) > 0 ? Number(credits) : null,
    amountMinor: tx.amount,
    currency: tx.currency.toLowerCase(),
  };
}

export function planPaystackEvent(payload: unknown): Plan {
  const parsed = paystackEventSchema.safeParse(payload);
  if (!parsed.success) return fail("stored payload is not a Paystack event");
  const event = parsed.data;
  if (event.event !== "charge.success") return ignore(`unhandled event type ${event.event}`);
  const txParsed = paystackTransactionSchema.safeParse(event.data);
  if (!txParsed.success) {
    const issue = txParsed.error.issues[0];
    return fail(`unexpected charge.success payload: data.${issue.path.join(".")} ${issue.message}`);
  }
  const p = purchaseOf(txParsed.data);
  const located = { email: p.email, externalId: p.externalId };
  if (txParsed.data.status && txParsed.data.status !== "success") {
    return { ...ignore(`charge status ${txParsed.data.status}: nothing to grant`), ...located };
  }
  if (!p.packageId && p.credits === null) {
    return { ...fail("unknown package: metadata names neither package_id nor credits"), ...located };
  }
  return {
    action: "paystack_charge",
    args: {
      provider: "paystack",
      external_id: p.externalId,
      user_id: p.userId,
      email: p.email,
      credits: p.packageId ? null : p.credits,
      package_id: p.packageId,
      amount_minor: p.amountMinor,
      currency: p.currency,
      event_id: paystackEventId(event),
    },
    ...located,
  };
}
