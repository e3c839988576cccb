// /checkout/crypto/[invoiceId]: the local test gateway (no crypto gateway configured). No real payment happens.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Notice } from "@/components/notice";
import { PageTitle } from "@/components/page-title";
import { SubmitButton } from "@/components/submit-button";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getCryptoInvoice } from "@/lib/db/rpc/providers";
import { getEnv } from "@/lib/env";
import { formatCredits, formatMoney } from "@/lib/format";
import { statesFor, type TestGatewayStep } from "@/lib/providers/invoices/test-gateway";
import { testGatewayAction } from "@/lib/checkout/crypto-actions";

export const metadata: Metadata = { title: "Test crypto gateway" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ invoiceId: string }>; searchParams: Promise<{ error?: string }> };

const STEPS: Array<{ step: TestGatewayStep; label: string; pending: string; tone: "primary" | "secondary" }> = [
  { step: "pending", label: "Mark pending", pending: "Sending Pending…", tone: "secondary" },
  { step: "complete", label: "Complete payment", pending: "Completing…", tone: "primary" },
  { step: "fail", label: "Fail (amount mismatch)", pending: "Failing…", tone: "secondary" },
  { step: "cancel", label: "Cancel invoice", pending: "Cancelling…", tone: "secondary" },
];

const secondary = "!bg-white !text-slate-800 ring-1 ring-inset ring-slate-300 hover:!bg-slate-50";

export default async function TestGatewayPage({ params, searchParams }: Props) {
  const { invoiceId } = await params;
  const session = await requireUser(`/checkout/crypto/${encodeURIComponent(invoiceId)}`);
  if (!getEnv().localInvoiceGateway) notFound();
  const invoice = await getCryptoInvoice(getDb(), invoiceId);
  if (!invoice || invoice.user_id !== session.userId) notFound();
  const { error } = await searchParams;
  const final = !["Ready", "Wait", "Pending"].includes(invoice.state);

  return (
    <div className="mx-auto w-full max-w-2xl space-y-6 px-4 py-10 sm:px-6">
      <PageTitle title="Pay with crypto" lead="Test gateway — no real payment" />
      <Notice tone="warning" title="Test gateway — no real payment">
        No crypto gateway is configured, so this page stands in for one. Each button sends our webhook a signed
        invoice.updated event, exactly as the gateway would. Nothing is charged and the credits are free.
      </Notice>
      {error === "webhook" && (
        <Notice tone="error" title="The webhook did not accept the event">
          Nothing changed. Check the server log, then try again.
        </Notice>
      )}

      <section aria-labelledby="invoice-heading" className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="invoice-heading" className="text-base font-semibold text-slate-900">
          Invoice
        </h2>
        <dl className="mt-3 grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-500">Invoice id</dt>
          <dd className="break-all font-mono text-slate-800">{invoice.invoice_id}</dd>
          <dt className="text-slate-500">Pack</dt>
          <dd className="text-slate-800">
            {invoice.package_name ?? invoice.package_id}
            {invoice.credits != null && ` — ${formatCredits(invoice.credits)}`}
          </dd>
          <dt className="text-slate-500">Price</dt>
          <dd className="text-slate-800">
            {invoice.amount_minor != null && invoice.currency
              ? formatMoney(invoice.amount_minor, invoice.currency)
              : invoice.expected_amount}
          </dd>
          <dt className="text-slate-500">State</dt>
          <dd className="font-semibold text-slate-900" aria-live="polite">
            {invoice.state}
            {invoice.fail_reason && <span className="font-normal text-slate-600"> ({invoice.fail_reason})</span>}
          </dd>
        </dl>
      </section>

      {final ? (
        <p className="text-sm text-slate-700">
          This invoice is {invoice.state}; it cannot change any more.{" "}
          <Link href="/wallet" className="font-semibold text-indigo-700 underline underline-offset-2">
            Back to your wallet
          </Link>
        </p>
      ) : (
        <div className="flex flex-wrap gap-3">
          {STEPS.filter((s) => statesFor(invoice.state, s.step).length > 0).map((s) => (
            <form key={s.step} action={testGatewayAction}>
              <input type="hidden" name="invoice_id" value={invoice.invoice_id} />
              <input type="hidden" name="step" value={s.step} />
              <SubmitButton pendingLabel={s.pending} className={s.tone === "secondary" ? secondary : ""}>
                {s.label}
              </SubmitButton>
            </form>
          ))}
        </div>
      )}
    </div>
  );
}
