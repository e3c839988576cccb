/** Typed calls of supabase/schemas/010_accounts.sql: who is an admin. */
import type { Database } from "../port";
import { int } from "../scalars";

/** Mirrors ADMIN_EMAILS into the database: only a listed address that is confirmed is admin. Returns profiles changed. */
export async function syncAdminEmails(db: Database, emails: string[]): Promise<number> {
  return int.parse(await db.rpc("sync_admin_emails", { p_emails: emails }));
}
