/**
 * ADMIN_EMAILS is configuration, but RLS reads profiles.is_admin. An address
 * removed from the list must lose admin when the server starts with the new
 * list, not when some admin next signs in (issue 26, item 6).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startNodeServer } from "@/instrumentation-node";
import { syncAdminsAtStart } from "@/lib/auth/admin-sync";
import { DatabaseUnavailableError, setDb, type Database } from "@/lib/db";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { resetEnvCache } from "@/lib/env";
import { stopRetryTimer } from "@/lib/ingest/retry-timer";
import { createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { unique } from "../helpers/test-database";

describe.each(targets)("ADMIN_EMAILS is re-synced at start-up on %s", (target) => {
  const suite = useRouteSuite(target, () => ({ ADMIN_EMAILS: "" }));
  afterEach(() => {
    stopRetryTimer();
    process.env.ADMIN_EMAILS = "";
    resetEnvCache();
  });
  const admins = async (...ids: string[]) =>
    (
      await suite.db.query<{ id: string; is_admin: boolean }>(
        "select id, is_admin from public.profiles where id = any($1::uuid[]) order by array_position($1::uuid[], id)",
        [ids],
      )
    ).map((r) => r.is_admin);

  it("an address removed from the list loses is_admin when the server starts, without any sign-in; an added one gains it", async () => {
    const [removed, kept, added] = [
      `removed-${unique()}@example.com`,
      `kept-${unique()}@example.com`,
      `added-${unique()}@example.com`,
    ];
    const ids = [
      await createUser(suite.db, removed),
      await createUser(suite.db, kept),
      await createUser(suite.db, added),
    ];
    await syncAdminEmails(suite.db, [removed, kept]); // what the previous start had
    expect(await admins(...ids)).toEqual([true, true, false]);

    process.env.ADMIN_EMAILS = `${kept}, ${added}`;
    resetEnvCache();
    await startNodeServer();
    expect(await admins(...ids)).toEqual([false, true, true]);
  });

  it("keeps trying in the background while the database does not answer at start", async () => {
    const email = `late-${unique()}@example.com`;
    const id = await createUser(suite.db, email);
    await syncAdminEmails(suite.db, [email]);
    process.env.ADMIN_EMAILS = "";
    resetEnvCache();
    let calls = 0;
    const flaky: Database = {
      mode: suite.db.mode,
      rpc: async (name, args, options) => {
        calls += 1;
        if (calls === 1) throw new DatabaseUnavailableError("database unavailable (test)");
        return suite.db.rpc(name, args, options);
      },
      close: async () => {},
    };
    setDb(flaky);
    await syncAdminsAtStart(flaky, 20); // does not throw: start-up goes on
    expect(await admins(id)).toEqual([true]);
    await expect.poll(() => admins(id), { timeout: 2_000 }).toEqual([false]);
  });
});
