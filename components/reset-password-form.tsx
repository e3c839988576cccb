"use client";
/** Choose a new password from a mailed reset link: two labelled fields and the server's verdict. */
import Link from "next/link";
import { useActionState } from "react";
import type { AuthFormState } from "@/lib/auth/actions";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";
import { inputClass } from "./form-fields";

interface Props {
  action: (state: AuthFormState, form: FormData) => Promise<AuthFormState>;
  token: string;
}

export function ResetPasswordForm({ action, token }: Props) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-5">
      {state.error && (
        <Notice tone="error">
          {state.error}{" "}
          <Link href="/forgot-password" className="font-medium underline">
            Ask for a new link
          </Link>
        </Notice>
      )}
      <input type="hidden" name="token" value={token} />
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-800">
          New password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          aria-describedby="password-hint"
          className={inputClass}
        />
        <p id="password-hint" className="mt-1 text-xs text-slate-500">
          At least 8 characters.
        </p>
      </div>
      <div>
        <label htmlFor="confirm" className="block text-sm font-medium text-slate-800">
          Repeat the new password
        </label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          className={inputClass}
        />
      </div>
      <SubmitButton className="w-full" pendingLabel="Saving…">
        Set new password
      </SubmitButton>
    </form>
  );
}
