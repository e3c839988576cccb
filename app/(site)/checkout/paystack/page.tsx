// Where /api/paystack/callback sends the buyer when it could not add the credits itself: what happened, and what
// happens next. The query names one of a fixed set of outcomes; nothing else from it is shown but the reference.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { Notice } from "@/components/notice";
import { PAYSTACK_RETURN_OUTCOMES, type PaystackReturnOutcome } from "@/lib/providers/paystack/callback";

export const metadata: Metadata = { title: "Your Paystack payment" };

const LATER = "If you paid, your credits appear in your wallet as soon as Paystack notifies us; nothing is lost.";

const MESSAGES: Record<PaystackReturnOutcome, { title: string; tone: "warning" | "error"; text: string }> = {
  unreachable: {
    tone: "warning",
    title: "We could not confirm your payment yet",
    text: `Paystack did not answer in time. ${LATER}`,
  },
  unknown: {
    tone: "warning",
    title: "We could not confirm your payment yet",
    text: `Paystack does not know this payment yet. ${LATER}`,
  },
  "not-paid": {
    tone: "error",
    title: "Payment not completed",
    text: "Paystack reports that this payment did not go through. No credits were added.",
  },
  mismatch: {
    tone: "warning",
    title: "We could not confirm your payment yet",
    text: `This payment does not match a credit pack; we are checking it. ${LATER}`,
  },
  unavailable: { tone: "warning", title: "We could not record your payment just now", text: LATER },
};

export default async function PaystackReturnPage({
  searchParams,
}: {
  searchParams: Promise<{ outcome?: string | string[]; reference?: string | string[] }>;
}) {
  const { outcome, reference } = await searchParams;
  const known = (PAYSTACK_RETURN_OUTCOMES as readonly unknown[]).includes(outcome);
  const message = known ? MESSAGES[outcome as PaystackReturnOutcome] : MESSAGES.unknown;
  return (
    <AuthCard title="Your Paystack payment" lead={typeof reference === "string" ? `Reference ${reference}` : undefined}>
      <Notice tone={message.tone} title={message.title}>
        {message.text}
      </Notice>
      <Link
        href="/wallet"
        className="mt-5 block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
      >
        Go to your wallet
      </Link>
    </AuthCard>
  );
}
