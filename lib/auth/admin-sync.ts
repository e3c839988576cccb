/**
 * ADMIN_EMAILS is configuration; RLS admin policies read profiles.is_admin.
 * This mirrors the list into the database when the server starts (so an
 * address removed from the list loses is_admin at once, without waiting for a
 * sign-in), and again once per process when an admin's session is seen or an
 * admin's address is confirmed, so both agree.
 */
import { setTimeout as delay } from "node:timers/promises";
import { getDb, type Database } from "@/lib/db";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
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

/**
 * Start-up (instrumentation-node.ts): mirror ADMIN_EMAILS now. Start-up waits
 * for it at most `waitMs` (a database that never answers must not hold the
 * server); one that fails (still starting, not migrated yet) is retried every
 * `retryMs` in the background until it succeeds.
 */
export async function syncAdminsAtStart(db: Database = getDb(), retryMs = 30_000, waitMs = 5_000): Promise<void> {
  const first = resyncAdmins(db).then(
    () => true,
    (error: unknown) => {
      console.warn(
        `[auth] ADMIN_EMAILS could not be synced at start (${(error as Error).name}); retrying every ${Math.round(retryMs / 1000)} s`,
      );
      return false;
    },
  );
  void first.then((ok) => ok || retryInBackground(db, retryMs));
  await Promise.race([first, delay(waitMs, undefined, { ref: false })]);
}

function retryInBackground(db: Database, retryMs: number): void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    resyncAdmins(db).then(
      () => clearInterval(timer),
      () => (running = false),
    );
  }, retryMs);
  timer.unref();
}
