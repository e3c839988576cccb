"use server";
/** Server actions behind the sign-in, sign-up and sign-out forms. */
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientIp } from "./client-ip";
import { safeNextPath, signIn, signOut, signUp, type AuthOutcome } from "./index";

export interface AuthFormState {
  error?: string;
  message?: string;
  /** echoed back so a failed attempt does not clear the e-mail field */
  email?: string;
}

async function settle(form: FormData, attempt: () => Promise<AuthOutcome>): Promise<AuthFormState> {
  const email = String(form.get("email") ?? "");
  let outcome: AuthOutcome;
  try {
    outcome = await attempt();
  } catch (error) {
    console.error(`auth action failed: ${(error as Error).name}`);
    return { email, error: "Something went wrong on our side. Please try again in a moment." };
  }
  if (!outcome.ok) return { email, error: outcome.error };
  if (!outcome.session) return { email, message: outcome.message };
  redirect(safeNextPath(form.get("next")));
}

export async function signInAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const ip = clientIp(await headers());
  return settle(form, () => signIn({ email: form.get("email"), password: form.get("password") }, { ip }));
}

export async function signUpAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  return settle(form, () => signUp({ email: form.get("email"), password: form.get("password") }));
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect("/");
}
