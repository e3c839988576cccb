/**
 * Typed calls of supabase/schemas/040_credits.sql: a payment's grant, what the
 * signed-in pages read (wallet, packs, ledger, purchases, claim notices), an
 * account's pending grants and an admin's adjustments. Reversals run inside webhook actions
 * (lib/db/actions.ts), spending through the API-key functions (api-keys.ts), and
 * pending grants are claimed by SQL when an address is confirmed; the tests call
 * those functions through tests/helpers/credit-rpc.ts.
 */
import { z } from "zod";
import type { PaymentProviderName } from "@/lib/providers/names";
import type { Database } from "../port";
import { int, timestamp, uuid } from "../scalars";

export const grantResult = z.object({
  outcome: z.enum(["granted", "pending", "duplicate"]),
  purchase_id: uuid,
  user_id: uuid.nullable(),
  balance: int.nullable(),
  credits: int,
  email: z.string().nullable(),
});
export type GrantResult = z.infer<typeof grantResult>;

export interface GrantArgs {
  provider: PaymentProviderName;
  externalId: string;
  userId?: string | null;
  email?: string | null;
  /** null/undefined: the credits of packageId */
  credits?: number | null;
  amountMinor: number;
  currency: string;
  packageId?: string | null;
  eventId?: string | null;
}

export async function grantCreditsForPurchase(db: Database, a: GrantArgs): Promise<GrantResult> {
  return grantResult.parse(
    await db.rpc("grant_credits_for_purchase", {
      p_provider: a.provider,
      p_external_id: a.externalId,
      p_user_id: a.userId ?? null,
      p_email: a.email ?? null,
      p_credits: a.credits ?? null,
      p_amount_minor: a.amountMinor,
      p_currency: a.currency,
      p_package_id: a.packageId ?? null,
      p_event_id: a.eventId ?? null,
    }),
  );
}

export const wallet = z.object({ balance: int, updated_at: timestamp });
export type Wallet = z.infer<typeof wallet>;

export async function getWallet(db: Database, userId: string): Promise<Wallet | null> {
  const row = await db.rpc("get_wallet", { p_user_id: userId });
  return row === null ? null : wallet.parse(row);
}

export const creditPackage = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  credits: int,
  amount_minor: int,
  currency: z.string(),
  stripe_price_id: z.string().nullable(),
});
export type CreditPackage = z.infer<typeof creditPackage>;

export async function listActivePackages(db: Database): Promise<CreditPackage[]> {
  return z.array(creditPackage).parse(await db.rpc("list_active_packages", {}, { returns: "rows" }));
}

export async function getActivePackage(db: Database, id: string): Promise<CreditPackage | null> {
  const row = await db.rpc("get_active_package", { p_id: id });
  return row === null ? null : creditPackage.parse(row);
}

/** Keyset cursor: the (created_at, id) of the last row of the previous page; at keeps microseconds. */
export interface Cursor {
  at: string;
  id: string;
}

export interface Page<Row> {
  rows: Row[];
  /** null on the last page */
  next: Cursor | null;
}

function cursorArgs(before: Cursor | undefined) {
  return { p_before_at: before?.at ?? null, p_before_id: before?.id ?? null };
}

/** Asks for one row more than shown to know whether another page exists. */
function pageOf<Row extends { id: string; cursor_at: string }>(rows: Row[], limit: number): Page<Row> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > limit && last ? { at: last.cursor_at, id: last.id } : null };
}

const cursorText = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

/** A cursor as one URL-safe token (?before=…), and back; a malformed token reads as "first page". */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`).toString("base64url");
}

export function decodeCursor(token: unknown): Cursor | undefined {
  if (typeof token !== "string" || token.length > 200) return undefined;
  const [at, id] = Buffer.from(token, "base64url").toString().split("|");
  return cursorText.safeParse(at).success && uuid.safeParse(id).success ? { at, id } : undefined;
}

export const ledgerEntry = z.object({
  id: uuid,
  delta: int,
  kind: z.enum(["purchase", "claim", "refund", "dispute", "dispute_reinstated", "spend", "adjustment"]),
  reference: z.string(),
  purchase_id: uuid.nullable(),
  package_name: z.string().nullable(),
  provider: z.string().nullable(),
  /** the spend's reason, or the admin's reason for an adjustment */
  reason: z.string().nullable(),
  /** the admin who made an adjustment */
  admin_email: z.string().nullable(),
  created_at: timestamp,
  cursor_at: z.string(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

export async function listCreditLedger(
  db: Database,
  userId: string,
  options: { before?: Cursor; limit?: number } = {},
): Promise<Page<LedgerEntry>> {
  const limit = options.limit ?? 20;
  const rows = await db.rpc(
    "list_credit_ledger",
    { p_user_id: userId, ...cursorArgs(options.before), p_limit: limit + 1 },
    { returns: "rows" },
  );
  return pageOf(z.array(ledgerEntry).parse(rows), limit);
}

export const purchaseRow = z.object({
  id: uuid,
  provider: z.string(),
  external_id: z.string(),
  package_id: z.string().nullable(),
  package_name: z.string().nullable(),
  credits: int,
  amount_minor: int,
  currency: z.string(),
  status: z.enum(["completed", "pending_user", "partially_refunded", "refunded", "disputed", "reversed"]),
  created_at: timestamp,
  cursor_at: z.string(),
});
export type PurchaseRow = z.infer<typeof purchaseRow>;

export async function listPurchases(
  db: Database,
  userId: string,
  options: { before?: Cursor; limit?: number } = {},
): Promise<Page<PurchaseRow>> {
  const limit = options.limit ?? 20;
  const rows = await db.rpc(
    "list_purchases",
    { p_user_id: userId, ...cursorArgs(options.before), p_limit: limit + 1 },
    { returns: "rows" },
  );
  return pageOf(z.array(purchaseRow).parse(rows), limit);
}

export const claimNotice = z.object({ grants: int, credits: int });
export type ClaimNotice = z.infer<typeof claimNotice>;

export async function takeClaimNotices(db: Database, userId: string): Promise<ClaimNotice> {
  return claimNotice.parse(await db.rpc("take_claim_notices", { p_user_id: userId }));
}

export const pendingGrant = z.object({
  id: uuid,
  purchase_id: uuid,
  email: z.string(),
  credits: int,
  created_at: timestamp,
  claimed_at: timestamp.nullable(),
});
export type PendingGrant = z.infer<typeof pendingGrant>;

export async function listPendingGrantsForUser(db: Database, userId: string): Promise<PendingGrant[]> {
  return z
    .array(pendingGrant)
    .parse(await db.rpc("list_pending_grants_for_user", { p_user_id: userId }, { returns: "rows" }));
}

export const adjustResult = z.object({ outcome: z.literal("adjusted"), ledger_id: uuid, balance: int });
export type AdjustResult = z.infer<typeof adjustResult>;

/** An admin's grant (delta > 0) or deduction (delta < 0) with a reason; the database checks the admin and the balance. */
export async function adjustCredits(
  db: Database,
  a: { userId: string; delta: number; reason: string; adminId: string },
): Promise<AdjustResult> {
  return adjustResult.parse(
    await db.rpc("adjust_credits", {
      p_user_id: a.userId,
      p_delta: a.delta,
      p_reason: a.reason,
      p_admin_id: a.adminId,
    }),
  );
}
