/**
 * The admin's Retry and "Retry all failed" server actions: the admin check lives
 * in the action itself (a server action is a public POST endpoint), and a retry
 * re-plans the stored payload and records a new attempt.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Session } from "@/lib/auth";

const auth = vi.hoisted(() => ({ session: null as Session | null }));
vi.mock("@/lib/auth", () => ({ getSession: async () => auth.session }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

import { retryAllFailedAction, retryEventAction } from "@/app/admin/events/actions";
import { POST } from "@/app/api/stripe/webhook/route";
import { NOT_ALLOWED } from "@/lib/admin/retry";
import { getWebhookEvent } from "@/lib/db/rpc/webhook-events";
import { balanceOf, createUser } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, checkoutSession, signedRequest, stripeEvent, uid } from "../helpers/stripe";
import { ADMIN_SESSION, confirmedSession } from "../helpers/sessions";

const ADMIN = ADMIN_SESSION;
const BUYER = confirmedSession("00000000-0000-4000-8000-000000000002", "buyer@example.com");

describe("admin retry actions", () => {
  const t = useRouteSuite("pglite", () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  beforeEach(() => {
    auth.session = null;
  });

  /** A paid checkout for a pack we do not sell (yet): stored as failed, "unknown package". */
  async function failedCheckout(packageId: string, email: string, userId: string | null = null): Promise<string> {
    const event = stripeEvent(
      "checkout.session.completed",
      checkoutSession({
        client_reference_id: userId,
        customer_details: { email },
        metadata: { package_id: packageId },
      }),
    );
    expect((await POST(signedRequest(event))).status).toBe(200);
    const rows = await t.db.query<{ id: string; status: string }>(
      "select id, status from webhook_events where event_id = $1",
      [event.id],
    );
    expect(rows[0].status).toBe("failed");
    return rows[0].id;
  }
  const form = (id: string) => {
    const data = new FormData();
    data.set("id", id);
    return data;
  };
  const addPack = (id: string, credits: number) =>
    t.db.query(
      "insert into credit_packages (id, name, credits, amount_minor, currency) values ($1, $1, $2, 500, 'usd')",
      [id, credits],
    );

  it("refuses a signed-out caller and a non-admin, and runs nothing", async () => {
    const id = await failedCheckout(uid("pack"), `${uid("b")}@example.com`);
    expect(await retryEventAction(null, form(id))).toEqual({ ok: false, message: NOT_ALLOWED });
    auth.session = BUYER;
    expect(await retryEventAction(null, form(id))).toEqual({ ok: false, message: NOT_ALLOWED });
    expect(await retryAllFailedAction(null)).toEqual({ ok: false, message: NOT_ALLOWED });
    const event = await getWebhookEvent(t.db, id);
    expect(event?.attempts).toBe(1);
    expect(event?.attempt_log.map((a) => a.trigger)).toEqual(["delivery"]);
  });

  it("records a new admin attempt when the retry fails again", async () => {
    const id = await failedCheckout(uid("pack"), `${uid("b")}@example.com`);
    auth.session = ADMIN;
    const state = await retryEventAction(null, form(id));
    expect(state).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Attempt 2 failed again: .*unknown package/),
    });
    const event = await getWebhookEvent(t.db, id);
    expect(event?.status).toBe("failed");
    expect(event?.attempt_log.map((a) => [a.attempt, a.trigger, a.status])).toEqual([
      [1, "delivery", "failed"],
      [2, "admin", "failed"],
    ]);
  });

  it("grants the credits once the missing pack exists, and a second retry changes nothing", async () => {
    const pack = uid("pack");
    const email = `${uid("b")}@example.com`;
    const user = await createUser(t.db, email);
    const id = await failedCheckout(pack, email);
    await addPack(pack, 321);
    auth.session = ADMIN;

    expect(await retryEventAction(null, form(id))).toMatchObject({
      ok: true,
      message: expect.stringMatching(/^Attempt 2 processed: granted 321 credits/),
    });
    expect(await balanceOf(t.db, user)).toBe(321);
    expect(await retryEventAction(null, form(id))).toEqual({
      ok: true,
      message: "Nothing to retry: the event is already processed.",
    });
    expect(await balanceOf(t.db, user)).toBe(321);
  });

  it("rejects an id that is not a uuid and reports an unknown event", async () => {
    auth.session = ADMIN;
    expect(await retryEventAction(null, form("1; drop table webhook_events"))).toEqual({
      ok: false,
      message: "That is not an event id.",
    });
    expect(await retryEventAction(null, form("00000000-0000-4000-8000-00000000dead"))).toEqual({
      ok: false,
      message: "That event does not exist.",
    });
  });

  it("retries every failed event in bulk: the fixable ones are processed and credited, the rest fail again", async () => {
    const pack = uid("pack");
    const buyers = [`${uid("b")}@example.com`, `${uid("b")}@example.com`];
    const users = [await createUser(t.db, buyers[0]), await createUser(t.db, buyers[1])];
    const ids = [await failedCheckout(pack, buyers[0], users[0]), await failedCheckout(pack, buyers[1], users[1])];
    const stillBroken = await failedCheckout(uid("pack"), `${uid("b")}@example.com`);
    await addPack(pack, 10);
    const failedBefore = await t.count("webhook_events where status = 'failed'");
    auth.session = ADMIN;
    const state = await retryAllFailedAction(null);
    expect(state).toEqual({
      ok: false,
      message: `Retried ${failedBefore} failed events: 2 succeeded, ${failedBefore - 2} failed again.`,
    });
    for (const id of ids) {
      const event = await getWebhookEvent(t.db, id);
      expect(event?.status).toBe("processed");
      expect(event?.attempt_log.map((a) => [a.attempt, a.trigger, a.status])).toEqual([
        [1, "delivery", "failed"],
        [2, "admin", "processed"],
      ]);
    }
    expect(await Promise.all(users.map((u) => balanceOf(t.db, u)))).toEqual([10, 10]);
    expect((await getWebhookEvent(t.db, stillBroken))?.status).toBe("failed");
  });
});
