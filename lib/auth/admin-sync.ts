/**
 * ADMIN_EMAILS is configuration; RLS admin policies read profiles.is_admin.
 * This mirrors the list into the database once per process (and again when an
 * admin's account is created), so both agree.
 */
import type { Database } from "@/lib/db";
import { syncAdminEmails } from "@/lib/db/rpc/credits";
import { getEnv } from "@/lib/env";

let synced: Promise<void> | undefined;

export function syncAdminsOnce(db: Database): Promise<void> {
  synced ??= syncAdminEmails(db, getEnv().ADMIN_EMAILS).then(
    () => undefined,
    (error) => {
      synced = undefined; // try again on the next request
      throw error;
    },
  );
  return synced;
}

export async function resyncAdmins(db: Database): Promise<void> {
  synced = undefined;
  await syncAdminsOnce(db);
}
