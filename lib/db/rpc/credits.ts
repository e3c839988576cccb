/**
 * Typed calls of supabase/schemas/040_credits.sql: a payment's grant, what the
 * signed-in pages read (wallet, packs, ledger, purchases, claim notices), an
 * account's pending grants and credit lots, an admin's adjustments and the pack
 * expiry setting. Holds are in holds.ts. Reversals run inside webhook actions
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

/**
 * The wallet as of now: balance = unexpired credits owned (negative = owed), held = active holds,
 * available = balance - held (what spends and new holds may use), debt = what reversals took beyond
 * the lots, expiring_30_days = credits in lots that expire within 30 days.
 */
export const wallet = z.object({
  balance: int,
  available: int,
  held: int,
  debt: int,
  expiring_30_days: int,
  next_expiry_at: timestamp.nullable(),
  updated_at: timestamp,
});
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

export const LEDGER_KINDS = [
  "purchase",
  "claim",
  "refund",
  "dispute",
  "dispute_reinstated",
  "spend",
  "adjustment",
  "capture",
  "expire",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export const lotCategory = z.enum(["paid", "promotional"]);
export type LotCategory = z.infer<typeof lotCategory>;

/** What one ledger row added to (amount > 0) or took from (< 0) one lot; lot_id null = the wallet's debt. */
export const lotMovement = z.object({
  lot_id: uuid.nullable(),
  amount: int,
  category: lotCategory.nullable(),
  expires_at: timestamp.nullable(),
});
export type LotMovement = z.infer<typeof lotMovement>;

export const ledgerEntry = z.object({
  id: uuid,
  delta: int,
  kind: z.enum(LEDGER_KINDS),
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
  /** the lots this row added to or took from, in order */
  lots: z
    .array(lotMovement)
    .nullable()
    .transform((v) => v ?? []),
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

export interface AdjustArgs {
  userId: string;
  delta: number;
  reason: string;
  adminId: string;
  /** a grant's expiry (must be in the future); null/undefined: never */
  expiresAt?: Date | null;
  /** a grant's category; default promotional */
  category?: LotCategory;
}

/**
 * An admin's grant (delta > 0: a lot, promotional unless said otherwise, expiring at expiresAt or never)
 * or deduction (delta < 0: at most the available credits) with a reason; the database checks the admin.
 */
export async function adjustCredits(db: Database, a: AdjustArgs): Promise<AdjustResult> {
  return adjustResult.parse(
    await db.rpc("adjust_credits", {
      p_user_id: a.userId,
      p_delta: a.delta,
      p_reason: a.reason,
      p_admin_id: a.adminId,
      p_expires_at: a.expiresAt ? a.expiresAt.toISOString() : null,
      p_category: a.category ?? "promotional",
    }),
  );
}

export const LOT_SOURCES = [
  "purchase",
  "claim",
  "plan",
  "adjustment",
  "dispute_reinstated",
  "migration",
  "auto_topup",
] as const;

export const creditLot = z.object({
  id: uuid,
  source: z.enum(LOT_SOURCES),
  category: lotCategory,
  granted: int,
  remaining: int,
  expires_at: timestamp.nullable(),
  created_at: timestamp,
  /** past its expires_at (what it still holds is only what active holds keep) */
  expired: z.boolean(),
  purchase_id: uuid.nullable(),
  ledger_id: uuid.nullable(),
});
export type CreditLot = z.infer<typeof creditLot>;

/** A user's lots: those with credits left first, in burn-down order, then used up or expired (at most 200). */
export async function listCreditLots(db: Database, userId: string): Promise<CreditLot[]> {
  return z.array(creditLot).parse(await db.rpc("list_credit_lots", { p_user_id: userId }, { returns: "rows" }));
}

/** CREDIT_PACK_EXPIRY_DAYS into the database (null = bought packs never expire); writes only a change. */
export async function setCreditPackExpiryDays(db: Database, days: number | null): Promise<void> {
  await db.rpc("set_credit_pack_expiry_days", { p_days: days });
}
