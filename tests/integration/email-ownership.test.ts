/**
 * An e-mail address counts only once it is confirmed (auth.users.email_confirmed_at,
 * with Supabase's meaning): pending grants, e-mail matching of purchases and
 * ADMIN_EMAILS all wait for it. Each case is an attack that worked before.
 */
import { describe, expect, it } from "vitest";
import { applyBootstrap, migrate } from "@/lib/db/migrate";
import { createPgliteDatabase } from "@/lib/db/pglite";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { type GrantArgs } from "@/lib/db/rpc/credits";
import { balanceOf, confirmEmail, createUser, targets } from "../helpers/databases";
import { grantStripePurchase, useTestDatabase } from "../helpers/test-database";

let n = 0;
const unique = () => `${Date.now().toString(36)}-${++n}`;

describe.each(targets)("e-mail ownership on %s", (target) => {
  const t = useTestDatabase(target);
  const grant = (a: Partial<GrantArgs> & { externalId: string }) => grantStripePurchase(t.db, a);
  const pendingRow = async (purchaseId: string) =>
    (
      await t.db.query<{ claimed_by: string | null }>(
        "select claimed_by from public.pending_credit_grants where purchase_id = $1",
        [purchaseId],
      )
    )[0];

  it("pending-grant theft: an unconfirmed sign-up with the buyer's address gets nothing; the confirmation claims it", async () => {
    const email = `paid-first-${unique()}@example.com`;
    const pending = await grant({ externalId: `cs_${unique()}`, email, credits: 300 });
    expect(pending.outcome).toBe("pending");

    const thief = await createUser(t.db, email.toUpperCase(), { confirmed: false });
    expect(await balanceOf(t.db, thief)).toBe(0);
    expect((await pendingRow(pending.purchase_id)).claimed_by).toBeNull();

    await confirmEmail(t.db, thief); // only the owner of the mailbox can do this
    expect(await balanceOf(t.db, thief)).toBe(300);
    expect((await pendingRow(pending.purchase_id)).claimed_by).toBe(thief);
    await t.db.query("update auth.users set email_confirmed_at = now() where id = $1", [thief]); // a second update claims nothing more
    expect(await balanceOf(t.db, thief)).toBe(300);
  });

  it("claims at insert when the row arrives confirmed (Supabase's admin-created or auto-confirmed users)", async () => {
    const email = `auto-${unique()}@example.com`;
    const pending = await grant({ externalId: `cs_${unique()}`, email, credits: 40 });
    const user = await createUser(t.db, email, { confirmed: true });
    expect(await balanceOf(t.db, user)).toBe(40);
    expect((await pendingRow(pending.purchase_id)).claimed_by).toBe(user);
  });

  it("pre-registration capture: a purchase matched by e-mail never goes to an unconfirmed account", async () => {
    const email = `victim-${unique()}@example.com`;
    const squatter = await createUser(t.db, email, { confirmed: false });
    const paid = await grant({ externalId: `cs_${unique()}`, email: email.toUpperCase(), credits: 500 });
    expect(paid).toMatchObject({ outcome: "pending", user_id: null });
    expect(await balanceOf(t.db, squatter)).toBe(0);
    const [purchase] = await t.db.query("select status, user_id from public.purchases where id = $1", [
      paid.purchase_id,
    ]);
    expect(purchase).toEqual({ status: "pending_user", user_id: null });
  });

  it("still grants by user id before the address is confirmed (buying with your own account)", async () => {
    const user = await createUser(t.db, `own-${unique()}@example.com`, { confirmed: false });
    expect(
      await grant({ externalId: `cs_${unique()}`, userId: user, email: "someone-else@example.com" }),
    ).toMatchObject({
      outcome: "granted",
      user_id: user,
      balance: 100,
    });
  });

  it("grants by e-mail to the confirmed account once there is one", async () => {
    const email = `confirmed-${unique()}@example.com`;
    const user = await createUser(t.db, email);
    expect(await grant({ externalId: `cs_${unique()}`, email })).toMatchObject({ outcome: "granted", user_id: user });
  });

  it("admin takeover: a listed address is admin only while confirmed, whether listed before or after", async () => {
    const listed = `boss-${unique()}@example.com`;
    const isAdmin = async (id: string) =>
      (await t.db.query<{ is_admin: boolean }>("select is_admin from public.profiles where id = $1", [id]))[0].is_admin;
    await syncAdminEmails(t.db, [listed]);

    const early = await createUser(t.db, listed, { confirmed: false });
    expect(await isAdmin(early)).toBe(false);
    await syncAdminEmails(t.db, [listed]);
    expect(await isAdmin(early)).toBe(false);

    await confirmEmail(t.db, early); // the trigger knows the list: no re-sync needed
    expect(await isAdmin(early)).toBe(true);

    await t.db.query("update auth.users set email_confirmed_at = null where id = $1", [early]);
    expect(await isAdmin(early)).toBe(false);
    await syncAdminEmails(t.db, []);
  });

  it.skipIf(target !== "pglite")(
    "never lets anon or authenticated call local_find_account (it returns password hashes), even under Supabase's default privileges",
    async () => {
      // Supabase's default privileges give anon and authenticated EXECUTE on every new function in public (and
      // PostgreSQL gives PUBLIC EXECUTE on every function): a fresh database with those defaults, then migrated.
      const fresh = createPgliteDatabase({ migrate: false });
      try {
        await applyBootstrap(fresh);
        await fresh.exec(
          "alter default privileges in schema public grant execute on functions to public, anon, authenticated",
        );
        await migrate(fresh);
        for (const fn of ["public.local_find_account(text)", "public.local_create_account(text, text)"]) {
          const rows = await fresh.query<{ role: string; allowed: boolean }>(
            `select r as role, has_function_privilege(r, $1, 'execute') as allowed
             from unnest(array['anon', 'authenticated', 'service_role']) r`,
            [fn],
          );
          expect(rows, fn).toEqual([
            { role: "anon", allowed: false },
            { role: "authenticated", allowed: false },
            { role: "service_role", allowed: true },
          ]);
          const [{ acl }] = await fresh.query<{ acl: string }>(
            "select coalesce(proacl::text, '') as acl from pg_proc where oid = $1::regprocedure",
            [fn],
          );
          expect(acl, fn).not.toMatch(/(^|[{,])=X/); // no grant to PUBLIC
        }
      } finally {
        await fresh.close();
      }
    },
  );

  it("purges rate-limit rows a day after their window", async () => {
    await t.db.query(
      "insert into public.auth_rate_limits (scope, key_hash, failures, window_started_at) values ('signin:ip', repeat('a', 64), 3, now() - interval '3 days')",
    );
    await t.db.query("select public.auth_login_attempt('someone@example.com', '203.0.113.99')");
    const [{ left }] = await t.db.query<{ left: number }>(
      "select count(*)::int as left from public.auth_rate_limits where key_hash = repeat('a', 64)",
    );
    expect(left).toBe(0);
  });
});
