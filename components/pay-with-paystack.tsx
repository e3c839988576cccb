/** "Pay with Paystack": Paystack's hosted payment page for a pack (POST /api/checkout/paystack), when Paystack is set up. */
import type { CreditPackage } from "@/lib/db/rpc/credits";
import { getEnv } from "@/lib/env";
import { PackChoiceForm } from "./pack-choice-form";

export function PayWithPaystack({ packs }: { packs: CreditPackage[] }) {
  if (!getEnv().PAYSTACK_SECRET_KEY) return null;
  return (
    <PackChoiceForm
      packs={packs}
      action="/api/checkout/paystack"
      label="Pay with Paystack"
      pendingLabel="Opening Paystack…"
    />
  );
}
