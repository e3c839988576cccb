"use server";
/**
 * A user's low-balance threshold (set_low_balance_threshold). The user is the
 * session's, never a form field; Next accepts server actions only from a
 * same-origin POST.
 */
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { setLowBalanceThreshold } from "@/lib/db/rpc/outgoing-webhooks";
import { formatCredits } from "@/lib/format";

export interface ThresholdState {
  message?: string;
  error?: string;
  /** Bumped on every success so the page can refresh its notice. */
  serial?: number;
}

const MAX = 1_000_000_000_000;
const threshold = z
  .string()
  .trim()
  .regex(/^\d+$/, "Enter a whole number of credits, e.g. 100.")
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, "Enter at least 1 credit, or turn the alert off.")
      .max(MAX, "That is more credits than anyone holds."),
  );

export async function saveLowBalanceThresholdAction(previous: ThresholdState, form: FormData): Promise<ThresholdState> {
  const session = await requireUser("/settings");
  const off = form.get("intent") === "off";
  let value: number | null = null;
  if (!off) {
    const parsed = threshold.safeParse(String(form.get("threshold") ?? ""));
    if (!parsed.success) return { error: parsed.error.issues[0].message };
    value = parsed.data;
  }
  try {
    await setLowBalanceThreshold(getDb(), session.userId, value);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError)
      return { error: "The database did not answer. Please try again in a moment." };
    throw error;
  }
  return {
    message:
      value === null
        ? "Low-balance alerts are off."
        : `Saved. We e-mail you once when your balance drops below ${formatCredits(value)}.`,
    serial: (previous.serial ?? 0) + 1,
  };
}
