/** Sessions as requireUser / requireAdmin return them, for suites that call actions and pages directly. */
import type { Session } from "@/lib/auth/session";

/** A signed-in person whose e-mail is confirmed; an admin only when `isAdmin` says so. */
export const confirmedSession = (userId: string, email: string, { isAdmin = false } = {}): Session => ({
  userId,
  email,
  emailConfirmed: true,
  isAdmin,
});

/** An admin with a fixed id, for suites that mock requireAdmin. */
export const ADMIN_SESSION = confirmedSession("00000000-0000-4000-8000-000000000001", "admin@example.com", {
  isAdmin: true,
});
