/**
 * GET /api/paystack/callback?reference=…: where Paystack sends the buyer's
 * browser after paying. The query string proves nothing, so the payment is
 * looked up with Paystack's verify API (Bearer secret) and checked against the
 * package (status success, currency, amount) before granting through
 * grant_credits_for_purchase, the function the webhook uses: whichever of the
 * two arrives second finds the purchase done. Granted: 303 to /wallet. Not
 * granted (Paystack unreachable or not knowing the payment yet, not paid, not
 * matching a pack, the database down): 303 to the page /checkout/paystack,
 * which says why and that the webhook completes a real payment; nothing is
 * granted here.
 * The reference must look like a Paystack reference (no `.`/`..` path
 * segments), and the redirect to /wallet is built from APP_URL.
 */
import { getDb } from "@/lib/db";
import { getActivePackage, grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { getEnv } from "@/lib/env";
import { jsonError } from "@/lib/http/json";
import { paystackApi } from "./api";
import { purchaseOf } from "./handle";
import { PAYSTACK_REFERENCE, paystackTransactionSchema } from "./schema";

/** Why the callback could not add the credits itself: the page /checkout/paystack explains each. */
export const PAYSTACK_RETURN_OUTCOMES = ["unreachable", "unknown", "not-paid", "mismatch", "unavailable"] as const;
export type PaystackReturnOutcome = (typeof PAYSTACK_RETURN_OUTCOMES)[number];

/** 303 to a page of ours, built from APP_URL: never the request's Host or X-Forwarded-* (the URL is ours, not the caller's). */
function seeOther(pathAndQuery: string): Response {
  return new Response(null, {
    status: 303,
    headers: { location: `${getEnv().APP_URL}${pathAndQuery}`, "cache-control": "no-store" },
  });
}

const notGranted = (outcome: PaystackReturnOutcome, reference: string) =>
  seeOther(`/checkout/paystack?outcome=${outcome}&reference=${encodeURIComponent(reference)}`);

export async function paystackCallback(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const reference = url.searchParams.get("reference") ?? url.searchParams.get("trxref") ?? "";
  // a crafted link, or Paystack not set up here: no buyer of ours can arrive like this
  if (!PAYSTACK_REFERENCE.test(reference)) return jsonError(400, "this link does not name a Paystack payment");
  const env = getEnv();
  if (!env.PAYSTACK_SECRET_KEY) return jsonError(404, "paying with Paystack is not available on this site");

  let data: unknown;
  try {
    data = await paystackApi(`/transaction/verify/${encodeURIComponent(reference)}`);
  } catch {
    console.error("paystack callback: the verify API could not be reached");
    return notGranted("unreachable", reference);
  }
  const tx = paystackTransactionSchema.safeParse(data);
  if (!tx.success || tx.data.reference !== reference) return notGranted("unknown", reference);
  if (tx.data.status !== "success") return notGranted("not-paid", reference);

  const purchase = purchaseOf(tx.data);
  const pack = purchase.packageId ? await getActivePackage(getDb(), purchase.packageId).catch(() => null) : null;
  if (!pack || pack.currency !== purchase.currency || purchase.amountMinor < pack.amount_minor) {
    // Not ours to decide here (credits-only or mismatched payments): the webhook records it for an admin.
    return notGranted("mismatch", reference);
  }
  try {
    await grantCreditsForPurchase(getDb(), {
      provider: "paystack",
      externalId: purchase.externalId,
      userId: purchase.userId,
      email: purchase.email,
      credits: null,
      packageId: pack.id,
      amountMinor: purchase.amountMinor,
      currency: purchase.currency,
      eventId: `callback:${reference}`,
    });
  } catch (error) {
    console.error(`paystack callback: grant failed (${(error as Error).name})`);
    return notGranted("unavailable", reference);
  }
  return seeOther(`/wallet?checkout=success&package=${encodeURIComponent(pack.id)}`);
}
