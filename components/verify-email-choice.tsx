"use client";
/**
 * The two answers to a verification link: "Yes, this is my account" (the
 * click that confirms; opening the link never does) and "This wasn't me"
 * (after a second press: the unconfirmed account made with the address goes).
 */
import { useActionState } from "react";
import { confirmEmailAction, disownAccountAction } from "@/lib/auth/actions";
import { ConfirmSubmit } from "./confirm-submit";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

export function VerifyEmailChoice({ token, email }: { token: string; email: string }) {
  const [confirmed, confirm] = useActionState(confirmEmailAction, {});
  const [disowned, disown] = useActionState(disownAccountAction, {});
  const error = confirmed.error ?? disowned.error;
  return (
    <div className="space-y-5">
      {error && <Notice tone="error">{error}</Notice>}
      <form action={confirm}>
        <input type="hidden" name="token" value={token} />
        <SubmitButton className="w-full" pendingLabel="Confirming…">
          Yes, this is my account
        </SubmitButton>
      </form>
      <div className="border-t border-slate-200 pt-5">
        <p className="text-sm text-slate-600">
          Did not sign up? Someone may have typed your address. We can delete that account, so the address stays yours
          and nothing bought with it reaches them.
        </p>
        <form action={disown} className="mt-3">
          <input type="hidden" name="token" value={token} />
          <ConfirmSubmit
            label="This wasn't me"
            question={`Delete the account made with ${email}? Its sessions and keys end at once. Your address stays yours.`}
            confirmLabel="Yes, delete that account"
            pendingLabel="Deleting…"
          />
        </form>
      </div>
    </div>
  );
}
