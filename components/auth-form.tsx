"use client";
/** The sign-in and sign-up form: labelled fields, the server's message, and a button that shows progress. */
import Link from "next/link";
import { useActionState } from "react";
import type { AuthFormState } from "@/lib/auth/actions";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";
import { EmailField, inputClass } from "./form-fields";

interface Props {
  kind: "signin" | "signup";
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>;
  next: string;
}

export function AuthForm({ kind, action, next }: Props) {
  const [state, formAction] = useActionState(action, {});
  const signup = kind === "signup";
  const other = `${signup ? "/login" : "/signup"}${next !== "/wallet" ? `?next=${encodeURIComponent(next)}` : ""}`;
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.message && <Notice tone="info">{state.message}</Notice>}
      <input type="hidden" name="next" value={next} />
      <EmailField defaultValue={state.email} />
      <div>
        <div className="flex items-baseline justify-between">
          <label htmlFor="password" className="block text-sm font-medium text-slate-800">
            Password
          </label>
          {!signup && (
            <Link href="/forgot-password" className="rounded text-sm text-indigo-700 hover:underline">
              Forgot your password?
            </Link>
          )}
        </div>
        <input
          id="password"
          name="password"
          type="password"
          required
          minLength={signup ? 8 : undefined}
          autoComplete={signup ? "new-password" : "current-password"}
          aria-describedby={signup ? "password-hint" : undefined}
          className={inputClass}
        />
        {signup && (
          <p id="password-hint" className="mt-1 text-xs text-slate-500">
            At least 8 characters.
          </p>
        )}
      </div>
      <SubmitButton className="w-full" pendingLabel={signup ? "Creating account…" : "Signing in…"}>
        {signup ? "Create account" : "Sign in"}
      </SubmitButton>
      <p className="text-center text-sm text-slate-600">
        {signup ? "Already have an account? " : "New here? "}
        <Link href={other} className="rounded font-medium text-indigo-700 hover:underline">
          {signup ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}
