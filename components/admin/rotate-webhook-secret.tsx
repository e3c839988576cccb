"use client";
/** Rotates an endpoint's signing secret and shows the new one once; the old one keeps signing for 24 h. */
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { Notice } from "@/components/notice";
import { SubmitButton } from "@/components/submit-button";
import type { SecretState } from "@/lib/outgoing-webhooks/admin-actions";
import { ShownOnceSecret } from "../shown-once-secret";
import { SECONDARY_BUTTON } from "./webhook-buttons";

export function RotateWebhookSecret({
  id,
  action,
}: {
  id: string;
  action: (state: SecretState, form: FormData) => Promise<SecretState>;
}) {
  const [state, formAction] = useActionState(action, {});
  const router = useRouter();
  useEffect(() => {
    if (state.serial) router.refresh();
  }, [state.serial, router]);
  return (
    <div className="space-y-3">
      <form action={formAction}>
        <input type="hidden" name="id" value={id} />
        <SubmitButton pendingLabel="Rotating…" className={SECONDARY_BUTTON}>
          Rotate secret
        </SubmitButton>
      </form>
      {state.error && <Notice tone="error">{state.error}</Notice>}
      {state.shown && (
        <ShownOnceSecret
          title="New secret: the old one keeps signing too for 24 hours"
          secret={state.shown.secret}
          noun="secret"
          testId="webhook-secret"
        >
          Copy the signing secret now and give it to the receiver: it is shown only this once. The receiver verifies
          each delivery with it (README, &ldquo;Outgoing webhooks&rdquo;).
        </ShownOnceSecret>
      )}
    </div>
  );
}
