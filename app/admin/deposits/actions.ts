"use server";
// Assigning deposit addresses. Next accepts server actions only from a same-origin POST; the admin check is repeated here.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireAdmin } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { assignDepositAddress } from "@/lib/db/rpc/providers";

const assignment = z.object({
  email: z.string().trim().min(3).max(320),
  asset_id: z.string().trim().min(1).max(20),
  address: z.string().trim().min(1).max(200).regex(/^\S+$/),
});

/**
 * The outcome goes back in the query string as a short code the page turns into a sentence,
 * chosen by the SQLSTATE assign_deposit_address raises (…_provider_money_rules.sql).
 */
function problemCode(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) return "unavailable";
  if (!(error instanceof DatabaseError)) return "invalid";
  switch (error.code) {
    case "P0002": // no account with that e-mail
      return "no-account";
    case "55000": // an account has it, but has not confirmed it
      return "unconfirmed";
    case "23505": // the address belongs to another account or asset
      return "taken";
    case "22023": // no credit rate for the asset (the address's shape is checked above, before the call)
      return "asset";
    default:
      return "invalid";
  }
}

export async function assignDepositAddressAction(form: FormData): Promise<void> {
  await requireAdmin("/admin/deposits");
  const input = assignment.safeParse({
    email: form.get("email"),
    asset_id: form.get("asset_id"),
    address: form.get("address"),
  });
  if (!input.success) redirect("/admin/deposits?error=invalid");
  let outcome: string;
  try {
    const result = await assignDepositAddress(getDb(), {
      address: input.data.address,
      assetId: input.data.asset_id,
      email: input.data.email,
    });
    outcome = result.outcome;
  } catch (error) {
    redirect(`/admin/deposits?error=${problemCode(error)}`);
  }
  revalidatePath("/admin/deposits");
  redirect(`/admin/deposits?done=${outcome}`);
}
