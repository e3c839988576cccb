/** The crypto invoice gateway (app/api/invoices/webhook, also /callback/update-invoice). */
import { getEnv } from "@/lib/env";
import { WebhookRejection, type WebhookProvider } from "@/lib/ingest/types";
import { describeIssue, parseJsonBody } from "@/lib/providers/parse";
import { planInvoiceEvent } from "./handle";
import { invoiceEventId, invoiceEventSchema } from "./schema";
import { verifyInvoiceSignature } from "./verify";

export const invoicesProvider: WebhookProvider = {
  name: "invoices",
  verify(rawBody, headers) {
    verifyInvoiceSignature(rawBody, headers.get("x-signature"), getEnv().INVOICE_WEBHOOK_SECRET);
    const body = parseJsonBody(rawBody);
    const event = (body as { event?: unknown } | null)?.event;
    if (event !== "invoice.updated")
      throw new WebhookRejection(400, `unsupported event ${typeof event === "string" ? event.slice(0, 60) : "(none)"}`);
    const parsed = invoiceEventSchema.safeParse(body);
    if (!parsed.success) throw new WebhookRejection(400, `malformed invoice event: ${describeIssue(parsed.error)}`);
    return { id: invoiceEventId(parsed.data), type: parsed.data.event, payload: body };
  },
  plan: (payload) => planInvoiceEvent(payload),
};
