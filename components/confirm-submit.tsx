"use client";
/**
 * A submit button for a form whose action cannot be undone: the first press
 * asks, in place, for a second one that says exactly what happens (or Cancel).
 * Keyboard focus moves to the question and back.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { SubmitButton } from "./submit-button";

interface Props {
  /** The first button's label, e.g. "Sign out everywhere". */
  label: string;
  /** The question shown after the first press. */
  question: ReactNode;
  /** The second button's label, e.g. "Yes, sign out everywhere". */
  confirmLabel: string;
  pendingLabel: string;
  tone?: "danger" | "neutral";
}

const TONE = {
  danger: "!bg-red-600 hover:!bg-red-500 focus-visible:outline-red-600",
  neutral: "",
};

export function ConfirmSubmit({ label, question, confirmLabel, pendingLabel, tone = "danger" }: Props) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (opened.current) openRef.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={openRef}
        type="button"
        onClick={() => {
          opened.current = true;
          setAsking(true);
        }}
        className={`rounded-lg border px-4 py-2 text-sm font-semibold shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 ${
          tone === "danger"
            ? "border-red-200 bg-white text-red-700 hover:bg-red-50 focus-visible:outline-red-600"
            : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50 focus-visible:outline-indigo-600"
        }`}
      >
        {label}
      </button>
    );
  }
  return (
    <div role="group" aria-label={label} className="space-y-3">
      <p className="text-sm text-slate-800">{question}</p>
      <div className="flex flex-wrap gap-2">
        <SubmitButton ref={confirmRef} pendingLabel={pendingLabel} className={TONE[tone]}>
          {confirmLabel}
        </SubmitButton>
        <button
          type="button"
          onClick={() => setAsking(false)}
          className="rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
