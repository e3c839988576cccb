"use client";
/** A form's submit button that says it is working and cannot be pressed twice. */
import type { ButtonHTMLAttributes, ReactNode } from "react";
import { useFormStatus } from "react-dom";

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  pendingLabel: string;
  children: ReactNode;
}

export function SubmitButton({ pendingLabel, children, className = "", ...rest }: Props) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      aria-disabled={pending}
      className={`rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:cursor-wait disabled:opacity-70 ${className}`}
      {...rest}
    >
      {pending ? pendingLabel : children}
    </button>
  );
}
