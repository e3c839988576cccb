/** The quiet (white, outlined) look of the secondary buttons on /admin/webhooks, over SubmitButton's primary one. */
export const SECONDARY_BUTTON =
  "!bg-white !text-slate-800 ring-1 ring-inset ring-slate-300 hover:!bg-slate-50 focus-visible:outline-indigo-600";
