// 404 for the local test checkout: off (production without LOCAL_TEST_CHECKOUT=1, or a Stripe key), or an unknown pack.
import Link from "next/link";
import { cardPaymentsConfigured, localCheckoutEnabled } from "@/lib/checkout/local-checkout";

export default function TestCheckoutNotFound() {
  const off = !localCheckoutEnabled();
  const title = off
    ? cardPaymentsConfigured()
      ? "There is no test checkout here"
      : "Card payments are not configured"
    : "Pack not found";
  const message = off
    ? cardPaymentsConfigured()
      ? "This site takes real card payments: buy a pack from your wallet."
      : "This site does not take card payments yet, and its test checkout is switched off. Nothing was charged."
    : "This pack is not on sale. Choose one from your wallet.";
  return (
    <div className="mx-auto max-w-xl px-4 py-20 text-center sm:px-6">
      <p className="text-sm font-semibold text-indigo-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{message}</p>
      <Link
        href="/wallet"
        className="mt-6 inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700"
      >
        Go to your wallet
      </Link>
    </div>
  );
}
