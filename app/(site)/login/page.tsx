// Sign in with e-mail and password; comes back to ?next= afterwards.
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { Notice } from "@/components/notice";
import { getSession, safeNextPath } from "@/lib/auth";
import { signInAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; reset?: string; signed_out?: string }>;
}) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getSession()) redirect(next);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Sign in</h1>
      <p className="mt-1 text-slate-600">Welcome back. Your balance is waiting.</p>
      {params.reset === "1" && (
        <div className="mt-6">
          <Notice tone="success" title="Password changed">
            Every browser that was signed in to your account is signed out. Sign in with your new password.
          </Notice>
        </div>
      )}
      {params.signed_out === "everywhere" && (
        <div className="mt-6">
          <Notice tone="success" title="Signed out everywhere">
            Every browser that was signed in to your account is signed out, and every API key is revoked. Sign in again
            and create new keys for your programs.
          </Notice>
        </div>
      )}
      <div className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <AuthForm kind="signin" action={signInAction} next={next} />
      </div>
    </div>
  );
}
