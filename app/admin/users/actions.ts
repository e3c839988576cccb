"use server";
// Manual credit adjustments, releasing a hold, and disabling / enabling an account. The admin check is repeated here,
// and again in the SQL functions (profiles.is_admin).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireAdmin, setAccountDisabled } from "@/lib/auth";
import { syncAdminsOnce } from "@/lib/auth/admin-sync";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { adjustCredits } from "@/lib/db/rpc/credits";
import { releaseCreditHold } from "@/lib/db/rpc/holds";

const adjustment = z.object({
  user_id: z.string().uuid(),
  direction: z.enum(["grant", "deduct"]),
  amount: z
    .string()
    .trim()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .pipe(z.number().int().positive()),
  reason: z.string().trim().min(1).max(500),
  category: z.enum(["promotional", "paid"]).default("promotional"),
  expires_on: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

/** "2026-12-20" → the last second of that day in UTC (so the day shown with the lot is the one chosen), or null. */
function endOfDay(day: string): Date | null {
  const end = new Date(`${day}T23:59:59Z`);
  return Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== day ? null : end;
}

/** The outcome goes back in the query string as a short code the page turns into a sentence. */
function problemCode(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) return "unavailable";
  if (error instanceof DatabaseError && error.code === "P0001") return "insufficient";
  if (error instanceof DatabaseError && error.code === "42501") return "not-admin";
  if (error instanceof DatabaseError && error.code === "P0002") return "no-wallet";
  return "invalid";
}

export async function adjustCreditsAction(form: FormData): Promise<void> {
  const session = await requireAdmin("/admin/users");
  const userId = String(form.get("user_id") ?? "");
  const page = `/admin/users/${encodeURIComponent(userId)}`;
  const input = adjustment.safeParse({
    user_id: userId,
    direction: form.get("direction"),
    amount: form.get("amount"),
    reason: form.get("reason") ?? "",
    category: form.get("category") || undefined,
    expires_on: form.get("expires_on") || undefined,
  });
  if (!input.success) redirect(`${page}?error=invalid`);
  const { amount, direction, reason, category } = input.data;
  // Category and expiry describe the lot a grant creates; a deduction takes from existing lots and ignores them.
  const expiresAt = direction === "grant" && input.data.expires_on ? endOfDay(input.data.expires_on) : null;
  if (expiresAt !== null && expiresAt.getTime() <= Date.now()) redirect(`${page}?error=expiry`);
  if (direction === "grant" && input.data.expires_on && expiresAt === null) redirect(`${page}?error=expiry`);
  try {
    const db = getDb();
    await syncAdminsOnce(db); // ADMIN_EMAILS → profiles.is_admin, which adjust_credits checks
    await adjustCredits(db, {
      userId,
      delta: direction === "grant" ? amount : -amount,
      reason,
      adminId: session.userId,
      ...(direction === "grant" ? { category, expiresAt } : {}),
    });
  } catch (error) {
    redirect(`${page}?error=${problemCode(error)}`);
  }
  revalidatePath(page);
  redirect(`${page}?done=${direction === "grant" ? "granted" : "deducted"}&amount=${amount}`);
}

const holdRelease = z.object({
  user_id: z.string().uuid(),
  hold_id: z.string().uuid(),
  reason: z.string().trim().min(1).max(500),
});

/** Releases one of the account's open holds after the page's confirmation; the hold keeps the admin and the reason. */
export async function releaseHoldAction(form: FormData): Promise<void> {
  const session = await requireAdmin("/admin/users");
  const userId = String(form.get("user_id") ?? "");
  const page = `/admin/users/${encodeURIComponent(userId)}`;
  const input = holdRelease.safeParse({
    user_id: userId,
    hold_id: form.get("hold_id"),
    reason: form.get("reason") ?? "",
  });
  if (!input.success) redirect(`${page}?error=invalid-release`);
  const { hold_id: holdId, reason } = input.data;
  let outcome: string;
  let amount = 0;
  try {
    const db = getDb();
    await syncAdminsOnce(db); // ADMIN_EMAILS → profiles.is_admin, which release_credit_hold checks for an admin
    const result = await releaseCreditHold(db, { userId, holdId, adminId: session.userId, reason });
    outcome = result.outcome;
    amount = result.hold?.amount ?? 0;
  } catch (error) {
    redirect(`${page}?error=${problemCode(error)}`);
  }
  if (outcome === "not_found") redirect(`${page}?error=hold-not-found`);
  if (outcome === "not_active") redirect(`${page}?error=hold-not-active`);
  revalidatePath(page);
  redirect(`${page}?done=released&amount=${amount}`);
}

const access = z.object({
  user_id: z.string().uuid(),
  disabled: z.enum(["true", "false"]).transform((v) => v === "true"),
  reason: z.string().trim().max(500),
});

/** Disables (every session and key revoked, sign-in refused) or enables an account, after the page's confirmation. */
export async function setAccountDisabledAction(form: FormData): Promise<void> {
  const session = await requireAdmin("/admin/users");
  const userId = String(form.get("user_id") ?? "");
  const page = `/admin/users/${encodeURIComponent(userId)}`;
  const input = access.safeParse({
    user_id: userId,
    disabled: form.get("disabled"),
    reason: form.get("reason") ?? "",
  });
  if (!input.success) redirect(`${page}?error=invalid-access`);
  const { disabled, reason } = input.data;
  try {
    const db = getDb();
    await syncAdminsOnce(db); // ADMIN_EMAILS → profiles.is_admin, which admin_set_account_disabled checks
    await setAccountDisabled(userId, disabled, session.userId, reason || null);
  } catch (error) {
    if (error instanceof DatabaseError && error.code === "22023") redirect(`${page}?error=own-account`);
    redirect(`${page}?error=${problemCode(error)}`);
  }
  revalidatePath(page);
  redirect(`${page}?done=${disabled ? "disabled" : "enabled"}`);
}
