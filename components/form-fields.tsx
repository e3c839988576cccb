/** The text inputs of the sign-in, sign-up, link and password forms: one look, one label pattern. */
export const inputClass =
  "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500";

/** A required e-mail field with its label. */
export function EmailField({ defaultValue }: { defaultValue?: string }) {
  return (
    <div>
      <label htmlFor="email" className="block text-sm font-medium text-slate-800">
        E-mail
      </label>
      <input
        id="email"
        name="email"
        type="email"
        required
        autoComplete="email"
        defaultValue={defaultValue}
        className={inputClass}
      />
    </div>
  );
}
