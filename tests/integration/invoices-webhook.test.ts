/**
 * POST /api/invoices/webhook (the gateway's /callback/update-invoice is a
 * rewrite to it) through the real route, on PGlite and the server: signatures,
 * every transition of the invoice state machine, late and early arrivals.
 */
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/invoices/webhook/route";
import { GET as cronSweep } from "@/app/api/cron/webhooks/route";
import { openCryptoInvoice } from "@/lib/db/rpc/providers";
import { listWebhookEvents } from "@/lib/db/rpc/webhook-events";
import { balanceOf, createUser, targets } from "../helpers/databases";
import { INVOICE_SECRET, invoiceEvent, invoiceRequest } from "../helpers/invoices";
import { useRouteSuite } from "../helpers/route-suite";
import { uid } from "../helpers/stripe";

const STATES = ["Ready", "Pending", "Wait", "Complete", "Fail", "Cancel", "Reject"] as const;
type State = (typeof STATES)[number];
/** The gateway's forward moves (SPEC 5). */
const LEGAL: Array<[State, State]> = [
  ["Ready", "Pending"],
  ["Pending", "Complete"],
  ["Pending", "Fail"],
  ["Ready", "Cancel"],
  ["Ready", "Wait"],
  ["Wait", "Pending"],
  ["Wait", "Reject"],
];
const isLegal = (from: State, to: State) => LEGAL.some(([a, b]) => a === from && b === to);
/** `to` comes before `from` on some path: a late delivery. */
function comesBefore(to: State, from: State): boolean {
  return LEGAL.some(([a, b]) => b === from && (a === to || comesBefore(to, a)));
}

describe.each(targets)("crypto invoice webhook on %s", (target) => {
  const t = useRouteSuite(target, () => ({
    INVOICE_WEBHOOK_SECRET: INVOICE_SECRET,
    CRON_SECRET: "cron-secret-for-tests",
  }));

  const deliver = async (event: object, options?: Parameters<typeof invoiceRequest>[1]) => {
    const response = await POST(invoiceRequest(event, options));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const eventRow = (eventId: string) => t.eventRow("invoices", eventId).then((row) => row!);
  const invoice = async (invoiceId: string) =>
    (
      await t.db.query<{
        state: string;
        fail_reason: string | null;
        received_amount: string | null;
        expected_amount: string | null;
      }>("select state, fail_reason, received_amount, expected_amount from crypto_invoices where invoice_id = $1", [
        invoiceId,
      ])
    )[0];
  const businessRows = async () => ({
    ...(await t.businessRows()),
    invoices: await t.db.query("select invoice_id, state from crypto_invoices order by invoice_id"),
  });
  const buyer = async () => createUser(t.db, `${uid("crypto")}@example.com`);
  const open = async (user: string, pack = "starter") => (await openCryptoInvoice(t.db, user, pack)).invoice_id;
  const sweep = async () => {
    await t.db.query("update webhook_events set next_attempt_at = now() - interval '1 second' where status = 'failed'");
    return cronSweep(
      new Request("http://localhost/api/cron/webhooks", { headers: { authorization: "Bearer cron-secret-for-tests" } }),
    );
  };

  describe("payments", () => {
    it("grants the invoice's package to the invoice's user on Ready → Pending → Complete", async () => {
      const user = await buyer();
      const id = await open(user, "pro");
      expect((await deliver(invoiceEvent(id, "Pending", { previousState: "Ready" }))).body).toMatchObject({
        status: "processed",
      });
      expect(await balanceOf(t.db, user)).toBe(0);
      expect((await deliver(invoiceEvent(id, "Complete", { previousState: "Pending" }))).body).toMatchObject({
        status: "processed",
      });
      expect(await balanceOf(t.db, user)).toBe(550);
      expect((await eventRow(`${id}:Complete`)).outcome).toMatch(/granted 550 credits/);
      expect((await invoice(id)).state).toBe("Complete");
      const purchase = await t.db.query<{ provider: string; package_id: string; amount_minor: string }>(
        "select provider, package_id, amount_minor::text from purchases where external_id = $1",
        [id],
      );
      expect(purchase).toEqual([{ provider: "invoices", package_id: "pro", amount_minor: "2500" }]);
    });

    it("accepts an invoice inserted with just invoice_id, user_id, package_id and state", async () => {
      const user = await buyer();
      const id = uid("inv");
      await t.db.query(
        "insert into crypto_invoices (invoice_id, user_id, package_id, state) values ($1, $2, 'starter', 'Ready')",
        [id, user],
      );
      await deliver(invoiceEvent(id, "Pending"));
      await deliver(invoiceEvent(id, "Complete"));
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("grants once on redelivery and 25 concurrent copies of Complete", async () => {
      const user = await buyer();
      const id = await open(user);
      await deliver(invoiceEvent(id, "Pending"));
      const complete = invoiceEvent(id, "Complete");
      const burst = await Promise.all(Array.from({ length: 25 }, () => deliver(complete)));
      expect(burst.every((r) => r.status === 200)).toBe(true);
      expect(burst.filter((r) => r.body.duplicate === false)).toHaveLength(1);
      expect((await deliver({ ...complete, timestamp: complete.timestamp + 5 })).body).toMatchObject({
        duplicate: true,
      });
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("keeps received vs expected on Fail with amount_mismatch, and grants nothing", async () => {
      const user = await buyer();
      const id = await open(user);
      await deliver(invoiceEvent(id, "Pending"));
      await deliver(
        invoiceEvent(id, "Fail", {
          reason: "amount_mismatch",
          cryptoAmount: "5.000000",
          transaction: { hash: "0xabc", amount: "4.200000" },
        }),
      );
      expect(await eventRow(`${id}:Fail`)).toMatchObject({
        status: "processed",
        outcome: `invoice ${id} failed: amount_mismatch (received 4.200000, expected 5.000000); no credits`,
      });
      expect(await invoice(id)).toEqual({
        state: "Fail",
        fail_reason: "amount_mismatch",
        received_amount: "4.200000",
        expected_amount: "5.000000",
      });
      expect(await balanceOf(t.db, user)).toBe(0);
    });

    it("fails an update for an invoice we never opened", async () => {
      const id = uid("inv_unknown");
      await deliver(invoiceEvent(id, "Pending"));
      expect(await eventRow(`${id}:Pending`)).toMatchObject({ status: "failed", last_error: `unknown invoice ${id}` });
    });
  });

  describe("state machine", () => {
    const cases = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));
    it.each(cases)("%s → %s", async (from, to) => {
      const user = await buyer();
      const id = await open(user);
      await t.db.query("update crypto_invoices set state = $2 where invoice_id = $1", [id, from]);
      const res = await deliver(invoiceEvent(id, to, { previousState: from }));
      expect(res.status).toBe(200);
      const row = await eventRow(`${id}:${to}`);
      const after = (await invoice(id)).state;
      if (isLegal(from, to)) {
        expect(row.status).toBe("processed");
        expect(after).toBe(to);
        expect(await balanceOf(t.db, user)).toBe(to === "Complete" ? 100 : 0);
      } else if (to === from || comesBefore(to, from)) {
        expect(row.status).toBe("ignored");
        expect(row.outcome).toMatch(to === from ? /already/ : /late update/);
        expect(after).toBe(from);
      } else {
        expect(row).toMatchObject({
          status: "failed",
          last_error: `illegal invoice transition ${from} → ${to} for ${id}`,
        });
        expect(after).toBe(from);
        expect(await balanceOf(t.db, user)).toBe(0);
      }
    });
  });

  describe("out of order", () => {
    it("ignores a Wait delivered after Pending and Complete (recorded, state unchanged)", async () => {
      const user = await buyer();
      const id = await open(user);
      // the gateway went Ready → Wait → Pending → Complete; Wait's delivery came last
      await deliver(invoiceEvent(id, "Pending", { previousState: "Wait" }));
      await deliver(invoiceEvent(id, "Complete", { previousState: "Pending" }));
      const late = await deliver(invoiceEvent(id, "Wait", { previousState: "Ready" }));
      expect(late).toMatchObject({ status: 200, body: { status: "ignored" } });
      expect(await eventRow(`${id}:Wait`)).toMatchObject({
        status: "ignored",
        outcome: `late update: invoice ${id} is already Complete, Wait comes before it`,
      });
      expect((await invoice(id)).state).toBe("Complete");
      expect(await balanceOf(t.db, user)).toBe(100);
    });

    it("keeps a Complete that arrives before its Pending as failed, and the sweep grants it once Pending has arrived", async () => {
      const user = await buyer();
      const id = await open(user);
      await deliver(invoiceEvent(id, "Complete"));
      expect((await eventRow(`${id}:Complete`)).status).toBe("failed");
      expect(await balanceOf(t.db, user)).toBe(0);
      await deliver(invoiceEvent(id, "Pending"));
      expect((await sweep()).status).toBe(200);
      expect(await eventRow(`${id}:Complete`)).toMatchObject({ status: "processed", attempts: 2 });
      expect(await balanceOf(t.db, user)).toBe(100);
    });
  });

  describe("rejections write nothing", () => {
    const valid = () => invoiceEvent("inv_reject_probe", "Pending");
    it.each([
      [
        "a bad signature",
        () => invoiceRequest(valid(), { header: `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` }),
        401,
      ],
      ["the wrong secret", () => invoiceRequest(valid(), { secret: "not-ours" }), 401],
      ["a missing header", () => invoiceRequest(valid(), { header: null }), 400],
      ["a malformed header", () => invoiceRequest(valid(), { header: "sha256=abc" }), 400],
      ["a stale timestamp", () => invoiceRequest(valid(), { timestamp: Math.floor(Date.now() / 1000) - 301 }), 401],
      [
        "a timestamp from the future",
        () => invoiceRequest(valid(), { timestamp: Math.floor(Date.now() / 1000) + 301 }),
        401,
      ],
      ["malformed JSON", () => invoiceRequest("{not json"), 400],
      ["another event value", () => invoiceRequest(invoiceEvent("inv_1", "Pending", {}, "invoice.created")), 400],
      ["an unknown state", () => invoiceRequest(invoiceEvent("inv_1", "Paid")), 400],
      [
        "a body without invoiceId",
        () => invoiceRequest({ event: "invoice.updated", timestamp: 1, data: { state: "Pending" } }),
        400,
      ],
    ])("refuses %s", async (_name, build, status) => {
      const before = await businessRows();
      const res = await POST(build());
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
      expect(await businessRows()).toEqual(before);
    });

    it("refuses a tampered body", async () => {
      const user = await buyer();
      const id = await open(user);
      const payload = JSON.stringify(invoiceEvent(id, "Pending"));
      const header = invoiceRequest(payload).headers.get("x-signature")!;
      const before = await businessRows();
      const res = await POST(invoiceRequest(payload.replace('"Pending"', '"Cancel"'), { header }));
      expect(res.status).toBe(401);
      expect(await businessRows()).toEqual(before);
    });
  });

  it("lists invoice events with the provider filter", async () => {
    const events = await listWebhookEvents(t.db, { provider: "invoices", limit: 200 });
    expect(events.length).toBeGreaterThan(10);
    expect(events.every((e) => e.provider === "invoices")).toBe(true);
  });
});
