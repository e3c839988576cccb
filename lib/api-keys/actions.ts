"use server";
/**
 * Creating and revoking API keys from /settings/api-keys. The user is the
 * session's, never a form field; Next accepts server actions only from a
 * same-origin POST.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { requireUser } from "@/lib/auth";
import { DatabaseError, DatabaseUnavailableError, getDb } from "@/lib/db";
import { createApiKey, revokeApiKey } from "@/lib/db/rpc/api-keys";

const PAGE = "/settings/api-keys";

export interface CreateKeyState {
  /** The new key: shown once, in this response, and never again. */
  created?: { name: string; key: string; prefix: string };
  error?: string;
  /** Bumped on every success so the form can clear its field. */
  serial?: number;
}

const keyName = z.string().trim().min(1, "Give the key a name.").max(100, "A name has at most 100 characters.");

/** Why an unconfirmed account may not create a key (the page says the same beside the disabled button). */
const CONFIRM_FIRST =
  "Confirm your e-mail address first: a key spends this account's credits, so only an account whose address is proven may have one.";

export async function createApiKeyAction(previous: CreateKeyState, form: FormData): Promise<CreateKeyState> {
  const session = await requireUser(PAGE);
  if (!session.emailConfirmed) return { error: CONFIRM_FIRST };
  const name = keyName.safeParse(form.get("name") ?? "");
  if (!name.success) return { error: name.error.issues[0].message };
  try {
    const { key } = await createApiKey(getDb(), session.userId, name.data);
    // No revalidatePath here: with it, next start intermittently never finishes (or never commits) the action's
    // response and the form stays "Creating…" (vercel/next.js#95714, #96233). The form refreshes the list itself.
    return { created: { name: name.data, key, prefix: key.slice(0, 11) }, serial: (previous.serial ?? 0) + 1 };
  } catch (error) {
    if (error instanceof DatabaseUnavailableError)
      return { error: "The database did not answer. Please try again in a moment." };
    if (error instanceof DatabaseError && error.code === "55000") return { error: CONFIRM_FIRST };
    if (error instanceof DatabaseError && /at most 25 active keys/.test(error.message)) {
      return { error: "You have 25 active keys, the most an account may have. Revoke one you no longer use first." };
    }
    throw error;
  }
}

export async function revokeApiKeyAction(form: FormData): Promise<void> {
  const session = await requireUser(PAGE);
  const id = z.string().uuid().safeParse(form.get("id"));
  if (!id.success) redirect(`${PAGE}?error=invalid`);
  let revoked: boolean;
  try {
    revoked = await revokeApiKey(getDb(), session.userId, id.data);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) redirect(`${PAGE}?error=unavailable`);
    throw error;
  }
  revalidatePath(PAGE);
  redirect(revoked ? `${PAGE}?done=revoked` : `${PAGE}?error=invalid`);
}
