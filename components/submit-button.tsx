"use client";
/** A form's submit button that says it is working and cannot be pressed twice. */
import type { ButtonHTMLAttributes, ReactNode, Ref } from "react";
import { useFormStatus } from "react-dom";

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  pendingLabel: string;
  children: ReactNode;
  ref?: Ref<HTMLButtonElement>;
}

export function SubmitButton({ pendingLabel, children, className = "", disabled = false, ...rest }: Props) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending || disabled}
      aria-disabled={pending || disabled}
      className={`rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 disabled:opacity-70 ${pending ? "cursor-wait" : "disabled:cursor-not-allowed"} ${className}`}
      {...rest}
    >
      {pending ? pendingLabel : children}
    </button>
  );
}
