/** The sign-up / sign-in form, validated the same way for both backends. */
import { z } from "zod";

export const credentialsSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid e-mail address." }).max(254, "That e-mail address is too long.")),
  password: z
    .string()
    .min(8, "Use at least 8 characters for your password.")
    .max(200, "Use at most 200 characters for your password."),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export type ParsedCredentials = { ok: true; value: Credentials } | { ok: false; error: string };

export function parseCredentials(input: { email?: unknown; password?: unknown }): ParsedCredentials {
  const parsed = credentialsSchema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.issues[0].message };
}

/** Minutes, rounded up, for "try again in N minutes". */
export function tooManyAttempts(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
