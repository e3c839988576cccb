// Choose a new password from a mailed reset link (?token=… for local accounts, ?code=… from Supabase Auth).
import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { Notice } from "@/components/notice";
import { ResetPasswordForm } from "@/components/reset-password-form";
import { resetPasswordAction } from "@/lib/auth/actions";

export const metadata: Metadata = { title: "Choose a new password" };
export const dynamic = "force-dynamic";

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string | string[]; code?: string | string[] }>;
}) {
  const { token, code } = await searchParams;
  const value = typeof token === "string" ? token : typeof code === "string" ? code : null;
  return (
    <AuthCard
      title="Choose a new password"
      lead="Setting it signs out every browser that is signed in to your account."
    >
      {value ? (
        <ResetPasswordForm action={resetPasswordAction} token={value} />
      ) : (
        <div className="space-y-5">
          <Notice tone="error">This page needs the link from your reset mail.</Notice>
          <Link
            href="/forgot-password"
            className="block rounded-lg bg-indigo-600 px-4 py-2 text-center text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
          >
            Mail me a reset link
          </Link>
        </div>
      )}
    </AuthCard>
  );
}
