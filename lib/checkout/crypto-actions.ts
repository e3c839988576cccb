"use server";
// "Pay with crypto" and the local test gateway's buttons. The buyer is always the session's user.
import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { getCryptoInvoice, openCryptoInvoice } from "@/lib/db/rpc/providers";
import { getEnv } from "@/lib/env";
import { SelfDeliveryError } from "@/lib/http/post-signed";
import { emitTestInvoiceEvents, statesFor, type TestGatewayStep } from "@/lib/providers/invoices/test-gateway";

const packageId = z.string().trim().min(1).max(64);
const invoiceId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,100}$/);
const step = z.enum(["pending", "complete", "fail", "cancel"]);

/** The real gateway's page for an invoice: `{invoiceId}` in INVOICE_GATEWAY_URL is replaced, else it is appended as a query. */
function gatewayPage(template: string, id: string): string {
  if (template.includes("{invoiceId}")) return template.replaceAll("{invoiceId}", encodeURIComponent(id));
  const url = new URL(template);
  url.searchParams.set("invoiceId", id);
  return url.toString();
}

export async function payWithCryptoAction(form: FormData): Promise<void> {
  const session = await requireUser("/wallet");
  const env = getEnv();
  const gateway = env.INVOICE_GATEWAY_URL;
  if (!env.localInvoiceGateway && !gateway) redirect("/wallet?crypto=unavailable");
  const pack = packageId.safeParse(form.get("package_id"));
  if (!pack.success) redirect("/wallet?crypto=unknown-pack");
  let id: string;
  try {
    id = (await openCryptoInvoice(getDb(), session.userId, pack.data)).invoice_id;
  } catch {
    redirect("/wallet?crypto=unknown-pack");
  }
  redirect(env.localInvoiceGateway || !gateway ? `/checkout/crypto/${id}` : gatewayPage(gateway, id));
}

export async function testGatewayAction(form: FormData): Promise<void> {
  const session = await requireUser("/wallet");
  if (!getEnv().localInvoiceGateway) notFound();
  const id = invoiceId.safeParse(form.get("invoice_id"));
  const wanted = step.safeParse(form.get("step"));
  if (!id.success || !wanted.success) notFound();
  const invoice = await getCryptoInvoice(getDb(), id.data);
  if (!invoice || invoice.user_id !== session.userId) notFound();
  const page = `/checkout/crypto/${encodeURIComponent(invoice.invoice_id)}`;
  try {
    // to APP_URL: the request's Host / X-Forwarded-* headers never choose where signed events go
    await emitTestInvoiceEvents(invoice, statesFor(invoice.state, wanted.data as TestGatewayStep));
  } catch (error) {
    // The page shows a fixed message; the reason goes to the server log only.
    console.error(
      `local test gateway failed: ${error instanceof SelfDeliveryError ? error.message : "webhook unreachable"}`,
    );
    redirect(`${page}?error=webhook`);
  }
  redirect(
    wanted.data === "complete"
      ? `/wallet?checkout=success&package=${encodeURIComponent(invoice.package_id ?? "")}`
      : page,
  );
}
