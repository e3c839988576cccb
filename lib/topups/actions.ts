"use server";
/**
 * The automatic top-up settings page's forms. The user is the session's, never
 * a form field; Next accepts server actions only from a same-origin POST. Bad
 * input comes back as a message and changes nothing (the SQL refuses it too).
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { localCheckoutEnabled } from "@/lib/checkout/local-checkout";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { getActivePackage } from "@/lib/db/rpc/credits";
import { removeSavedCard, setTopupSettings, setTopupTestDecline, turnOffTopup } from "@/lib/db/rpc/topups";
import { parseMoney } from "./money";
import { TOPUP_PAGE } from "./pages";

export interface TopupFormState {
  error?: string;
  /** Bumped on every save, so the page refreshes its server part. */
  serial?: number;
}

const UNAVAILABLE = "The database did not answer. Please try again in a moment.";

const form = z.object({
  package_id: z.string().trim().min(1, "Choose a pack.").max(64),
  threshold: z
    .string()
    .trim()
    .regex(/^\d{1,12}$/, "The threshold is a whole number of credits.")
    .transform(Number)
    .refine((n) => n >= 1, "The threshold is at least 1 credit."),
  monthly_limit: z.string().trim().min(1, "Give a monthly limit.").max(20, "That monthly limit is too long."),
});

export async function saveTopupSettingsAction(previous: TopupFormState, data: FormData): Promise<TopupFormState> {
  const session = await requireUser(TOPUP_PAGE);
  const parsed = form.safeParse({
    package_id: data.get("package_id") ?? "",
    threshold: data.get("threshold") ?? "",
    monthly_limit: data.get("monthly_limit") ?? "",
  });
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  try {
    const db = getDb();
    const pack = await getActivePackage(db, parsed.data.package_id);
    if (!pack) return { error: "Choose a pack that is on sale." };
    const limit = parseMoney(parsed.data.monthly_limit, pack.currency);
    if (limit === null) return { error: "The monthly limit is an amount, e.g. 50 or 50.00." };
    await setTopupSettings(db, session.userId, {
      enabled: data.get("enabled") === "on" || data.get("enabled") === "1",
      packageId: pack.id,
      threshold: parsed.data.threshold,
      monthlyLimitMinor: limit,
    });
    // No revalidatePath (see lib/api-keys/actions.ts): the form refreshes the page itself.
    return { serial: (previous.serial ?? 0) + 1 };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) return { error: UNAVAILABLE };
    if (error instanceof DatabaseError && error.code === "22023") return { error: sentence(error.message) };
    throw error;
  }
}

/** The SQL's reason as a sentence: "save a card first: …" → "Save a card first: …." */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Where "Turn off automatic top-up" may send the browser back to: its page, or the wallet's overview. */
const RETURN_TO = new Set(["/wallet", TOPUP_PAGE]);

/** One click: turns automatic top-up off, keeping the pack, threshold and limit for next time. */
export async function turnOffTopupAction(data?: FormData): Promise<void> {
  const session = await requireUser(TOPUP_PAGE);
  const back = String(data?.get("return_to") ?? "");
  const returnTo = RETURN_TO.has(back) ? back : TOPUP_PAGE;
  try {
    await turnOffTopup(getDb(), session.userId);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) redirect(`${TOPUP_PAGE}?error=unavailable`);
    throw error;
  }
  revalidatePath(returnTo);
  redirect(returnTo === TOPUP_PAGE ? `${TOPUP_PAGE}?done=off` : returnTo);
}

export async function removeCardAction(): Promise<void> {
  const session = await requireUser(TOPUP_PAGE);
  try {
    await removeSavedCard(getDb(), session.userId);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) redirect(`${TOPUP_PAGE}?error=unavailable`);
    throw error;
  }
  revalidatePath(TOPUP_PAGE);
  redirect(`${TOPUP_PAGE}?done=card-removed`);
}

/** Test mode only: the next simulated top-up of the test card is declined (or not). */
export async function testDeclineAction(data: FormData): Promise<void> {
  const session = await requireUser(TOPUP_PAGE);
  if (!localCheckoutEnabled()) redirect(TOPUP_PAGE);
  const decline = data.get("decline") === "1";
  let changed: boolean;
  try {
    changed = await setTopupTestDecline(getDb(), session.userId, decline);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) redirect(`${TOPUP_PAGE}?error=unavailable`);
    throw error;
  }
  revalidatePath(TOPUP_PAGE);
  redirect(changed ? `${TOPUP_PAGE}?done=${decline ? "decline-on" : "decline-off"}` : `${TOPUP_PAGE}?error=settings`);
}
