/** Typed calls of supabase/schemas/080_providers.sql: deposit addresses, crypto rates and crypto invoices. */
import { z } from "zod";
import type { Database } from "../port";
import { decimal, int, timestamp, uuid } from "../scalars";

export const depositAddress = z.object({
  address: z.string(),
  asset_id: z.string(),
  user_id: uuid,
  email: z.string(),
  credits_per_unit: decimal.nullable(),
  created_at: timestamp,
});
export type DepositAddress = z.infer<typeof depositAddress>;

export const assignResult = z.object({
  outcome: z.enum(["assigned", "unchanged"]),
  address: z.string(),
  asset_id: z.string(),
  user_id: uuid,
  email: z.string(),
});
export type AssignResult = z.infer<typeof assignResult>;

/** Admin: gives the account with this e-mail a deposit address for an asset. */
export async function assignDepositAddress(
  db: Database,
  a: { address: string; assetId: string; email: string },
): Promise<AssignResult> {
  return assignResult.parse(
    await db.rpc("assign_deposit_address", { p_address: a.address, p_asset_id: a.assetId, p_email: a.email }),
  );
}

/** One user's deposit addresses, or every one when userId is null (admin). */
export async function listDepositAddresses(db: Database, userId: string | null): Promise<DepositAddress[]> {
  return z
    .array(depositAddress)
    .parse(await db.rpc("list_deposit_addresses", { p_user_id: userId }, { returns: "rows" }));
}

export const cryptoRate = z.object({ asset_id: z.string(), credits_per_unit: decimal });
export type CryptoRate = z.infer<typeof cryptoRate>;

export async function listCryptoRates(db: Database): Promise<CryptoRate[]> {
  return z.array(cryptoRate).parse(await db.rpc("list_crypto_rates", {}, { returns: "rows" }));
}

export const cryptoInvoice = z
  .object({
    invoice_id: z.string(),
    user_id: uuid.nullable(),
    package_id: z.string().nullable(),
    state: z.enum(["Ready", "Pending", "Wait", "Complete", "Fail", "Cancel", "Reject"]),
    fail_reason: z.string().nullable(),
    expected_amount: z.string().nullable(),
    received_amount: z.string().nullable(),
    created_at: timestamp,
    package_name: z.string().nullable().optional(),
    credits: int.nullable().optional(),
    amount_minor: int.nullable().optional(),
    currency: z.string().nullable().optional(),
  })
  .loose();
export type CryptoInvoice = z.infer<typeof cryptoInvoice>;

/** Opens a Ready invoice for this user and active package (user id from the session, never the request). */
export async function openCryptoInvoice(db: Database, userId: string, packageId: string): Promise<CryptoInvoice> {
  return cryptoInvoice.parse(await db.rpc("open_crypto_invoice", { p_user_id: userId, p_package_id: packageId }));
}

export async function getCryptoInvoice(db: Database, invoiceId: string): Promise<CryptoInvoice | null> {
  const row = await db.rpc("get_crypto_invoice", { p_invoice_id: invoiceId });
  return row === null ? null : cryptoInvoice.parse(row);
}
