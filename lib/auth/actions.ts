"use server";
/** Server actions behind the sign-in, sign-up, sign-out and mailed-link forms. */
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientIp } from "./client-ip";
import {
  disownAccount,
  getSession,
  requestEmailLink,
  resetPassword,
  safeNextPath,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
  verifyEmail,
  type AuthOutcome,
  type LinkOutcome,
} from "./index";

export interface AuthFormState {
  error?: string;
  message?: string;
  /** echoed back so a failed attempt does not clear the e-mail field */
  email?: string;
}

const OUR_FAULT = "Something went wrong on our side. Please try again in a moment.";

async function requestIp(): Promise<string> {
  return clientIp(await headers());
}

async function settle(form: FormData, attempt: () => Promise<AuthOutcome>): Promise<AuthFormState> {
  const email = String(form.get("email") ?? "");
  let outcome: AuthOutcome;
  try {
    outcome = await attempt();
  } catch (error) {
    console.error(`auth action failed: ${(error as Error).name}`);
    return { email, error: OUR_FAULT };
  }
  if (!outcome.ok) return { email, error: outcome.error };
  if (!outcome.session) return { email, message: outcome.message };
  redirect(safeNextPath(form.get("next")));
}

async function settleLink(email: string | undefined, attempt: () => Promise<LinkOutcome>): Promise<AuthFormState> {
  try {
    const outcome = await attempt();
    return outcome.ok ? { email, message: outcome.message } : { email, error: outcome.error };
  } catch (error) {
    console.error(`auth link action failed: ${(error as Error).name}`);
    return { email, error: OUR_FAULT };
  }
}

export async function signInAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const ip = await requestIp();
  return settle(form, () => signIn({ email: form.get("email"), password: form.get("password") }, { ip }));
}

export async function signUpAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const ip = await requestIp();
  return settle(form, () => signUp({ email: form.get("email"), password: form.get("password") }, { ip }));
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect("/");
}

/** Every browser signed out and every API key revoked; then the sign-in page says so. */
export async function signOutEverywhereAction(): Promise<void> {
  await signOutEverywhere();
  redirect("/login?signed_out=everywhere");
}

/** "Send a new link" on the banner and /verify-email: for the signed-in account's own address only. */
export async function resendVerificationAction(_previous: AuthFormState): Promise<AuthFormState> {
  const ip = await requestIp();
  const session = await getSession();
  if (!session) return { error: "Sign in first, then ask for a new link." };
  if (session.emailConfirmed) return { message: "Your e-mail address is already confirmed." };
  return settleLink(undefined, () => requestEmailLink(session.email, "verify_email", { ip }));
}

export async function forgotPasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const ip = await requestIp();
  const email = String(form.get("email") ?? "");
  return settleLink(email, () => requestEmailLink(email, "reset_password", { ip }));
}

export async function resetPasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const ip = await requestIp();
  const password = form.get("password");
  if (password !== form.get("confirm")) return { error: "The two passwords are not the same." };
  const state = await settleLink(undefined, () => resetPassword(form.get("token"), password, { ip }));
  if (state.error) return state;
  redirect("/login?reset=1");
}

/** The state of the two buttons on /verify-email: an error to show in place (success redirects). */
export interface LinkChoiceState {
  error?: string;
}

/** The other half of settleLink: run the link action; a refusal or a fault stays on the page as an error. */
async function tryLink(attempt: () => Promise<{ ok: true } | { ok: false; error: string }>): Promise<LinkChoiceState> {
  try {
    const outcome = await attempt();
    return outcome.ok ? {} : { error: outcome.error };
  } catch (error) {
    console.error(`verification link action failed: ${(error as Error).name}`);
    return { error: OUR_FAULT };
  }
}

/** "Yes, this is my account" on /verify-email: the click that confirms (opening the link never does). */
export async function confirmEmailAction(_previous: LinkChoiceState, form: FormData): Promise<LinkChoiceState> {
  const state = await tryLink(() => verifyEmail(form.get("token")));
  if (state.error) return state;
  redirect("/verify-email?done=confirmed");
}

/** "This wasn't me" on /verify-email: the unconfirmed account made with this address goes away. */
export async function disownAccountAction(_previous: LinkChoiceState, form: FormData): Promise<LinkChoiceState> {
  let outcome: "deleted" | "closed" | undefined;
  const state = await tryLink(async () => {
    const result = await disownAccount(form.get("token"));
    if (result.ok) outcome = result.outcome;
    return result;
  });
  if (state.error || !outcome) return state;
  redirect(`/verify-email?done=${outcome}`);
}
