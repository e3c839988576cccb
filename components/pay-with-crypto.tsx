/**
 * "Pay with crypto": opens a crypto invoice for the signed-in user and goes to
 * the gateway's page (the local test gateway when none is configured).
 */
import { payWithCryptoAction } from "@/lib/checkout/crypto-actions";
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { getEnv } from "@/lib/env";
import { PackChoiceForm } from "./pack-choice-form";

export function PayWithCrypto({ packs }: { packs: CreditPackage[] }) {
  const env = getEnv();
  if (!env.localInvoiceGateway && !env.INVOICE_GATEWAY_URL) return null;
  return (
    <PackChoiceForm
      packs={packs}
      action={payWithCryptoAction}
      label="Pay with crypto"
      pendingLabel="Opening invoice…"
      note={env.localInvoiceGateway ? "Test gateway: no real payment happens." : undefined}
    />
  );
}
