// Create an account; signing up signs you in and mails a link that confirms the e-mail (which brings earlier credits).
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { getSession, safeNextPath } from "@/lib/auth";
import { signUpAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNextPath((await searchParams).next);
  if (await getSession()) redirect(next);
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Create an account</h1>
      <p className="mt-1 text-slate-600">
        Paid before you had an account? Use the same e-mail and confirm it: the credits are yours.
      </p>
      <div className="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
        <AuthForm kind="signup" action={signUpAction} next={next} />
      </div>
    </div>
  );
}
