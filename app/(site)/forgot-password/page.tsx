// "Forgot your password?": mails a reset link; the answer never reveals whether an account exists.
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { EmailLinkForm } from "@/components/email-link-form";
import { forgotPasswordAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Forgot your password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" lead="Enter your e-mail and we will mail you a link to choose a new one.">
      <EmailLinkForm action={forgotPasswordAction} withEmail label="Mail me a reset link" pendingLabel="Sending…" />
      <p className="mt-5 text-center text-sm text-slate-600">
        Remembered it?{" "}
        <Link href="/login" className="rounded font-medium text-indigo-700 hover:underline">
          Sign in
        </Link>
      </p>
    </AuthCard>
  );
}
