/**
 * GET /api/paystack/callback?reference=…: where Paystack sends the buyer's
 * browser after paying. The query string proves nothing, so the payment is
 * looked up with Paystack's verify API (Bearer secret) and checked against the
 * package (status success, currency, amount) before granting through
 * grant_credits_for_purchase, the function the webhook uses: whichever of the
 * two arrives second finds the purchase done. When Paystack cannot be reached
 * the buyer gets a plain page and nothing is granted; the webhook completes it.
 * The reference must look like a Paystack reference (no `.`/`..` path
 * segments), and the redirect to /wallet is built from APP_URL.
 */
import { getDb } from "@/lib/db";
import { getActivePackage } from "@/lib/db/rpc/account-reads";
import { grantCreditsForPurchase } from "@/lib/db/rpc/credits";
import { getEnv } from "@/lib/env";
import { purchaseOf } from "./handle";
import { PAYSTACK_REFERENCE, paystackTransactionSchema } from "./schema";

const VERIFY_TIMEOUT_MS = 10_000;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A small self-contained page: this is a route handler, and the buyer must never see a stack trace. */
function page(status: number, title: string, message: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:grid;place-items:center;min-height:100vh;margin:0}
main{max-width:32rem;background:#fff;border:1px solid #e2e8f0;border-radius:.75rem;padding:2rem;margin:1rem}
h1{font-size:1.25rem;margin:0 0 .75rem}p{line-height:1.5;color:#334155}a{color:#4338ca;font-weight:600}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/wallet">Go to your wallet</a></p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

const notConfirmed = (status: number, detail: string) =>
  page(
    status,
    "We could not confirm your payment yet",
    `${detail} If you paid, your credits will appear in your wallet as soon as Paystack notifies us; nothing is lost.`,
  );

async function fetchTransaction(reference: string, base: string, secret: string): Promise<unknown> {
  const response = await fetch(`${base}/transaction/verify/${encodeURIComponent(reference)}`, {
    headers: { authorization: `Bearer ${secret}`, accept: "application/json" },
    signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
    cache: "no-store",
    redirect: "error", // the Bearer secret goes to PAYSTACK_API_BASE and nowhere else
  });
  const body = (await response.json().catch(() => null)) as { status?: unknown; data?: unknown } | null;
  if (!response.ok || !body || body.status !== true) return null;
  return body.data;
}

export async function paystackCallback(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const reference = url.searchParams.get("reference") ?? url.searchParams.get("trxref") ?? "";
  if (!PAYSTACK_REFERENCE.test(reference))
    return page(400, "Unknown payment", "This link does not name a Paystack payment.");
  const env = getEnv();
  if (!env.PAYSTACK_SECRET_KEY)
    return page(404, "Paystack is not set up", "Paying with Paystack is not available on this site.");

  let data: unknown;
  try {
    data = await fetchTransaction(reference, env.PAYSTACK_API_BASE, env.PAYSTACK_SECRET_KEY);
  } catch {
    console.error("paystack callback: the verify API could not be reached");
    return notConfirmed(502, "Paystack did not answer in time.");
  }
  const tx = paystackTransactionSchema.safeParse(data);
  if (!tx.success || tx.data.reference !== reference)
    return notConfirmed(502, "Paystack does not know this payment yet.");
  if (tx.data.status !== "success")
    return page(
      402,
      "Payment not completed",
      `Paystack reports this payment as ${tx.data.status ?? "unknown"}. No credits were added.`,
    );

  const purchase = purchaseOf(tx.data);
  const pack = purchase.packageId ? await getActivePackage(getDb(), purchase.packageId).catch(() => null) : null;
  if (!pack || pack.currency !== purchase.currency || purchase.amountMinor < pack.amount_minor) {
    // Not ours to decide here (credits-only or mismatched payments): the webhook records it for an admin.
    return notConfirmed(409, "This payment does not match a credit pack.");
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
    return notConfirmed(503, "We could not record your payment just now.");
  }
  return new Response(null, {
    status: 303,
    // APP_URL, never the request's Host or X-Forwarded-* (a URL for the browser is ours, not the caller's)
    headers: {
      location: `${env.APP_URL}/wallet?checkout=success&package=${encodeURIComponent(pack.id)}`,
      "cache-control": "no-store",
    },
  });
}
