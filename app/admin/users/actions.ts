"use server";
// Manual credit adjustments, and disabling / enabling an account. The admin check is repeated here, and again in
// the SQL functions (profiles.is_admin).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireAdmin, setAccountDisabled } from "@/lib/auth";
import { syncAdminsOnce } from "@/lib/auth/admin-sync";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { adjustCredits } from "@/lib/db/rpc/credits";

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
});

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
  });
  if (!input.success) redirect(`${page}?error=invalid`);
  const { amount, direction, reason } = input.data;
  try {
    const db = getDb();
    await syncAdminsOnce(db); // ADMIN_EMAILS → profiles.is_admin, which adjust_credits checks
    await adjustCredits(db, {
      userId,
      delta: direction === "grant" ? amount : -amount,
      reason,
      adminId: session.userId,
    });
  } catch (error) {
    redirect(`${page}?error=${problemCode(error)}`);
  }
  revalidatePath(page);
  redirect(`${page}?done=${direction === "grant" ? "granted" : "deducted"}&amount=${amount}`);
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
