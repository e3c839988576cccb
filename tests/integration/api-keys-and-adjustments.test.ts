/** API keys (create, store only the hash, revoke) and admins' adjustments, as SQL functions on every target. */
import { createHash, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  listCreditLedger,
  adjustCredits,
  listPendingGrantsForUser,
  grantCreditsForPurchase,
} from "@/lib/db/rpc/credits";
import { findUsers, getUser } from "@/lib/db/rpc/account-access";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "@/lib/db/rpc/api-keys";
import { syncAdminEmails } from "@/lib/db/rpc/accounts";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { unique, useTestDatabase } from "../helpers/test-database";
import { spendCredits } from "../helpers/credit-rpc";
import { expectDatabaseError } from "../helpers/sql-assertions";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const RATE = { limit: 1000, windowSeconds: 60 };

describe.each(targets)("API keys and adjustments on %s", (target) => {
  const t = useTestDatabase(target, { checkLedger: true });
  let admin = "";
  beforeAll(async () => {
    const adminEmail = `admin-${unique()}@example.com`;
    admin = await createUser(t.db, adminEmail);
    await syncAdminEmails(t.db, [adminEmail]);
  });

  const fund = (userId: string, credits: number) =>
    grantCreditsForPurchase(t.db, {
      provider: "stripe",
      externalId: `pi_${unique()}`,
      userId,
      credits,
      amountMinor: 100,
      currency: "usd",
    });

  describe("create_api_key", () => {
    it("returns {id, key} once, with a ck_ key of 64 random characters, and stores only its SHA-256", async () => {
      const user = await createUser(t.db, `keys-${unique()}@example.com`);
      const created = await t.db.query<{ r: Record<string, string> }>("select public.create_api_key($1, 'CI') as r", [
        user,
      ]);
      const { id, key } = created[0].r;
      expect(Object.keys(created[0].r).sort()).toEqual(["id", "key"]);
      expect(key).toMatch(/^ck_[0-9a-f]{64}$/);
      const [row] = await t.db.query<Record<string, unknown>>("select * from public.api_keys where id = $1", [id]);
      expect(row).toMatchObject({
        user_id: user,
        name: "CI",
        prefix: key.slice(0, 11),
        key_hash: sha256(key),
        revoked_at: null,
      });
      const everything = JSON.stringify(await t.db.query("select * from public.api_keys"));
      expect(everything).not.toContain(key.slice(3));
      expect((await createApiKey(t.db, user, "second")).key).not.toBe(key);
    });

    it("refuses a blank or overlong name, an unknown user, and a 26th active key", async () => {
      const user = await createUser(t.db, `limits-${unique()}@example.com`);
      await expectDatabaseError(createApiKey(t.db, user, "   "), "22023", /key name is required/);
      await expectDatabaseError(createApiKey(t.db, user, "n".repeat(101)), "22023", /key name is required/);
      await expectDatabaseError(createApiKey(t.db, randomUUID(), "x"), "P0002", /user not found/);
      const keys = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          createApiKey(t.db, user, `k${i}`).then(
            (k) => k,
            () => null,
          ),
        ),
      );
      expect(keys.filter(Boolean)).toHaveLength(25);
      await revokeApiKey(t.db, user, keys.find(Boolean)!.id);
      await expect(createApiKey(t.db, user, "after revoke")).resolves.toMatchObject({
        key: expect.stringMatching(/^ck_/),
      });
    });

    it("lists a user's keys without their hashes, and revokes only the owner's key", async () => {
      const owner = await createUser(t.db, `owner-${unique()}@example.com`);
      const stranger = await createUser(t.db, `stranger-${unique()}@example.com`);
      const key = await createApiKey(t.db, owner, "laptop");
      expect(await revokeApiKey(t.db, stranger, key.id)).toBe(false);
      expect(await authenticateApiKey(t.db, sha256(key.key), RATE)).toMatchObject({ user_id: owner, allowed: true });
      expect(await revokeApiKey(t.db, owner, key.id)).toBe(true);
      expect(await revokeApiKey(t.db, owner, key.id)).toBe(true); // idempotent
      expect(await authenticateApiKey(t.db, sha256(key.key), RATE)).toEqual({ revoked_reason: "revoked_by_owner" });
      expect(await authenticateApiKey(t.db, sha256(`${key.key}x`), RATE)).toBeNull();
      const listed = await listApiKeys(t.db, owner);
      expect(listed).toEqual([
        expect.objectContaining({
          id: key.id,
          name: "laptop",
          prefix: key.key.slice(0, 11),
          revoked_at: expect.any(Date),
          revoked_reason: "revoked_by_owner",
        }),
      ]);
      expect(JSON.stringify(listed)).not.toContain(sha256(key.key));
      expect(await listApiKeys(t.db, stranger)).toEqual([]);
    });
  });

  describe("spend_credits (users, via auth.uid())", () => {
    it("refuses the same idempotency key with a different amount (23505) and keeps a 255-character key", async () => {
      const user = await createUser(t.db, `spend-${unique()}@example.com`);
      await fund(user, 100);
      expect(await spendCredits(t.db, user, 10, "k".repeat(255))).toEqual({ outcome: "spent", balance: 90 });
      await expectDatabaseError(spendCredits(t.db, user, 11, "k".repeat(255)), "23505", /different amount/);
      expect(await balanceOf(t.db, user)).toBe(90);
    });
  });

  describe("adjust_credits", () => {
    it("grants and deducts with the reason and the admin kept on the ledger (kind adjustment)", async () => {
      const user = await createUser(t.db, `adjust-${unique()}@example.com`);
      expect(
        await adjustCredits(t.db, { userId: user, delta: 500, reason: "Goodwill for the outage", adminId: admin }),
      ).toMatchObject({
        outcome: "adjusted",
        balance: 500,
      });
      expect(
        (await adjustCredits(t.db, { userId: user, delta: -200, reason: "Duplicate grant", adminId: admin })).balance,
      ).toBe(300);
      const rows = await t.db.query<{ delta: string; kind: string; reason: string; admin_id: string }>(
        "select delta::text, kind, reason, admin_id from public.credit_ledger where user_id = $1 order by created_at, id",
        [user],
      );
      expect(rows).toEqual([
        { delta: "500", kind: "adjustment", reason: "Goodwill for the outage", admin_id: admin },
        { delta: "-200", kind: "adjustment", reason: "Duplicate grant", admin_id: admin },
      ]);
      const ledger = await listCreditLedger(t.db, user);
      expect(ledger.rows[0]).toMatchObject({
        kind: "adjustment",
        delta: -200,
        reason: "Duplicate grant",
        admin_email: expect.stringMatching(/^admin-/),
      });
    });

    it("refuses a caller who is not an admin, a missing reason, a zero delta, and a deduction below zero", async () => {
      const user = await createUser(t.db, `refuse-${unique()}@example.com`);
      await fund(user, 50);
      await expectDatabaseError(
        adjustCredits(t.db, { userId: user, delta: 10, reason: "self-service", adminId: user }),
        "42501",
        /only an admin/,
      );
      await expectDatabaseError(
        adjustCredits(t.db, { userId: user, delta: 10, reason: "x", adminId: randomUUID() }),
        "42501",
        /only an admin/,
      );
      await expectDatabaseError(
        adjustCredits(t.db, { userId: user, delta: 10, reason: "   ", adminId: admin }),
        "22023",
        /reason is required/,
      );
      await expectDatabaseError(
        adjustCredits(t.db, { userId: user, delta: 0, reason: "nothing", adminId: admin }),
        "22023",
        /non-zero/,
      );
      await expectDatabaseError(
        adjustCredits(t.db, { userId: user, delta: -51, reason: "too much", adminId: admin }),
        "P0001",
        /insufficient credits/,
      );
      await expectDatabaseError(
        adjustCredits(t.db, { userId: randomUUID(), delta: 1, reason: "ghost", adminId: admin }),
        "P0002",
        /wallet not found/,
      );
      expect(await balanceOf(t.db, user)).toBe(50);
    });

    it("is EXECUTE-able by the service role only", async () => {
      const [{ ok }] = await t.db.query<{ ok: boolean }>(
        "select has_function_privilege('authenticated', 'public.adjust_credits(uuid,bigint,text,uuid,timestamptz,text)', 'execute') as ok",
      );
      expect(ok).toBe(false);
    });
  });

  describe("admin account pages", () => {
    it("finds accounts by e-mail (case-insensitive, wildcards taken literally) with balance, purchases and pending grants", async () => {
      const tag = unique();
      const email = `Find.Me_${tag}@example.com`;
      await grantCreditsForPurchase(t.db, {
        provider: "stripe",
        externalId: `pi_pre_${tag}`,
        email,
        credits: 40,
        amountMinor: 100,
        currency: "usd",
      });
      const user = await createUser(t.db, email);
      await fund(user, 60);
      // claimed at sign-up or still waiting for a confirmed e-mail: either way the admin sees the grant
      const balance = await balanceOf(t.db, user);
      const found = await findUsers(t.db, `find.me_${tag}`.toUpperCase());
      expect(found).toEqual([expect.objectContaining({ id: user, email, balance, is_admin: false })]);
      expect(await findUsers(t.db, `find%${tag}`)).toEqual([]);
      expect(await getUser(t.db, user)).toMatchObject({ id: user, balance });
      expect(await getUser(t.db, randomUUID())).toBeNull();
      expect(await listPendingGrantsForUser(t.db, user)).toEqual([
        expect.objectContaining({ credits: 40, email: email.toLowerCase() }),
      ]);
    });
  });
});
