// /settings/api-keys: create, name and revoke the keys a program uses to spend this account's credits.
import type { Metadata } from "next";
import { ApiKeysTable } from "@/components/api-keys-table";
import { CreateApiKeyForm } from "@/components/create-api-key-form";
import { EmailLinkForm } from "@/components/email-link-form";
import { Notice } from "@/components/notice";
import { LoadedList, PageSection } from "@/components/page-section";
import { PageTitle } from "@/components/page-title";
import { SignOutEverywhere } from "@/components/sign-out-everywhere";
import { createApiKeyAction, revokeApiKeyAction } from "@/lib/api-keys/actions";
import { requireUser } from "@/lib/auth";
import { resendVerificationAction } from "@/lib/auth/actions";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { listApiKeys, type ApiKeyRow } from "@/lib/db/rpc/api-keys";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "API keys" };
export const dynamic = "force-dynamic";

const PROBLEMS: Record<string, string> = {
  invalid: "That key was not found among yours.",
  unavailable: "The database did not answer. Please try again in a moment.",
};

export default async function ApiKeysPage({
  searchParams,
}: {
  searchParams: Promise<{ error?: string; done?: string }>;
}) {
  const session = await requireUser("/settings/api-keys");
  const { error, done } = await searchParams;
  let keys: ApiKeyRow[] | undefined;
  try {
    keys = await listApiKeys(getDb(), session.userId);
  } catch (e) {
    if (!(e instanceof DatabaseUnavailableError)) throw e;
  }
  const origin = getEnv().APP_URL;

  return (
    <>
      <PageTitle
        title="API keys"
        lead="A key lets your own code spend this account's credits through the API. Anyone holding a key can spend with it: keep keys secret and revoke the ones you no longer use."
      />
      {error && <Notice tone="error">{PROBLEMS[error] ?? PROBLEMS.invalid}</Notice>}
      {done === "revoked" && <Notice tone="success">Key revoked. Requests with it are refused from now on.</Notice>}

      <PageSection id="create" title="Create a key">
        <CreateApiKeyForm
          action={createApiKeyAction}
          unavailable={
            session.emailConfirmed ? undefined : (
              <>
                <p>
                  A key spends this account&apos;s credits, so only an account whose address is proven may have one. We
                  sent a link to <span className="font-medium">{session.email}</span>; open it, then come back here.
                </p>
                <div className="mt-3 max-w-xs">
                  <EmailLinkForm action={resendVerificationAction} label="Send a new link" pendingLabel="Sending…" />
                </div>
              </>
            )
          }
        />
      </PageSection>

      <PageSection id="keys" title="Your keys">
        <LoadedList
          items={keys}
          what="Keys"
          empty={{ title: "No keys yet", text: "Create one above; it is shown once, right after you create it." }}
        >
          {(rows) => <ApiKeysTable keys={rows} revokeAction={revokeApiKeyAction} />}
        </LoadedList>
      </PageSection>

      <SignOutEverywhere activeKeys={keys?.filter((k) => !k.revoked_at).length ?? 0} />

      <section
        aria-labelledby="usage-heading"
        className="space-y-3 rounded-2xl border border-slate-200 bg-white p-5 text-sm text-slate-700 shadow-sm"
      >
        <h2 id="usage-heading" className="text-base font-semibold text-slate-900">
          Using a key
        </h2>
        <pre
          tabIndex={0}
          role="region"
          aria-label="Example requests"
          className="overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100"
        >
          {`curl ${origin}/api/v1/balance -H "Authorization: Bearer ck_…"

curl ${origin}/api/v1/spend -H "Authorization: Bearer ck_…" \\
  -H "Idempotency-Key: order-1234" -H "Content-Type: application/json" \\
  -d '{"amount": 25, "reason": "Report #1234"}'`}
        </pre>
        <p>
          Retrying with the same Idempotency-Key never spends twice. A spend larger than the balance is refused (402)
          and changes nothing. The full description is at{" "}
          <a href="/api/v1/openapi.json" className="font-medium text-indigo-700 underline underline-offset-2">
            /api/v1/openapi.json
          </a>
          .
        </p>
      </section>
    </>
  );
}
