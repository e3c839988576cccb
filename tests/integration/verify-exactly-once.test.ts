/**
 * scripts/bench/verify.ts, the check behind the benchmark and the fault tests:
 * it passes an honest run, and it catches what the unique keys cannot — a
 * grant of the wrong size, to the wrong owner, an extra claim row, a lost
 * purchase, a balance moved outside the run. (The ledger is append-only, so a
 * wrong grant is shown by changing what the delivery asked for instead.)
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { generateTraffic } from "../../scripts/bench/deliveries";
import { ledgerSums, verifyExactlyOnce, type ExactlyOnceExpectation, type Query } from "../../scripts/bench/verify";
import { createUser, targets } from "../helpers/databases";
import { useRouteSuite } from "../helpers/route-suite";
import { WEBHOOK_SECRET, uid } from "../helpers/stripe";

describe.each(targets)("exactly-once verification on %s", (target) => {
  const t = useRouteSuite(target, () => ({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }));
  const query: Query = (sql, params) => t.db.query(sql, params);

  /** Three buyers, 24 deliveries (a third redeliveries) through the real route; returns the expectation for them. */
  async function honestRun(): Promise<{ expectation: ExactlyOnceExpectation; users: string[] }> {
    const users = await Promise.all([1, 2, 3].map((i) => createUser(t.db, `${uid(`verify${i}`)}@example.com`)));
    const balancesBefore = await ledgerSums(query, users);
    const runTag = randomBytes(3).toString("hex");
    const deliveries = generateTraffic({
      count: 24,
      duplicateShare: 0.33,
      secret: WEBHOOK_SECRET,
      userIds: users,
      runTag,
    });
    for (const d of deliveries) {
      const response = await POST(
        new Request("http://localhost/api/stripe/webhook", {
          method: "POST",
          headers: { "content-type": "application/json", "stripe-signature": d.signature },
          body: d.body,
        }),
      );
      expect(response.status).toBe(200);
    }
    const expectation = {
      label: "run",
      prefix: `pi_bench_${runTag}_`,
      deliveries,
      events: deliveries.map((d) => d.eventId),
      balancesBefore,
    };
    return { expectation, users };
  }

  /** A purchase of this run, for tampering. */
  const aPurchase = async (prefix: string) =>
    (
      await t.db.query<{ id: string; user_id: string }>(
        "select id, user_id from purchases where external_id like $1 || '%' limit 1",
        [prefix],
      )
    )[0];

  it("passes an honest run (16 payments, 8 redeliveries, three buyers)", async () => {
    const { expectation } = await honestRun();
    expect(await verifyExactlyOnce(query, expectation)).toEqual([]);
    expect(await verifyExactlyOnce(query, { ...expectation, balancesBefore: undefined })).toEqual([]);
  });

  /** The expectation with one payment's delivery body changed (as if the database had granted something else than it said). */
  function withDelivery(
    expectation: ExactlyOnceExpectation,
    change: (session: Record<string, unknown>) => void,
  ): ExactlyOnceExpectation {
    const [first, ...rest] = expectation.deliveries;
    const event = JSON.parse(first.body) as { data: { object: Record<string, unknown> } };
    change(event.data.object);
    const body = JSON.stringify(event);
    // every delivery of that payment carries the changed body
    return {
      ...expectation,
      deliveries: [{ ...first, body }, ...rest.map((d) => (d.paymentId === first.paymentId ? { ...d, body } : d))],
    };
  }

  it("catches a grant of the wrong amount (100 credits granted where the delivery bought the 550-credit pack)", async () => {
    const { expectation } = await honestRun();
    const violations = await verifyExactlyOnce(
      query,
      withDelivery(expectation, (s) =>
        Object.assign(s, { metadata: { ...(s.metadata as object), package_id: "pro" } }),
      ),
    );
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /purchases that differ from their delivery: .*pack starter instead of pro, 100 credits instead of 550/,
        ),
        expect.stringMatching(/ledger sums changed by other than the credits they bought/),
      ]),
    );
  });

  it("catches a grant to the wrong owner", async () => {
    const { expectation, users } = await honestRun();
    const owner = (JSON.parse(expectation.deliveries[0].body) as { data: { object: { client_reference_id: string } } })
      .data.object.client_reference_id;
    const other = users.find((u) => u !== owner)!;
    const moved = withDelivery(expectation, (s) => Object.assign(s, { client_reference_id: other }));
    expect(await verifyExactlyOnce(query, moved)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`owner ${owner} instead of ${other}`)),
        expect.stringMatching(/ledger sums changed/),
      ]),
    );
    expect(await verifyExactlyOnce(query, { ...moved, balancesBefore: undefined })).toEqual(
      expect.arrayContaining([expect.stringMatching(/users were credited other than the credits they bought/)]),
    );
  });

  it("catches an extra claim row beside the purchase row", async () => {
    const { expectation } = await honestRun();
    const p = await aPurchase(expectation.prefix);
    await t.db.query(
      "insert into credit_ledger (user_id, delta, kind, purchase_id, reference) values ($1, 100, 'claim', $2, $3)",
      [p.user_id, p.id, `tamper:${p.id}`],
    );
    expect(await verifyExactlyOnce(query, expectation)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/without exactly one right purchase ledger row, e\.g\. .*claim 100/),
      ]),
    );
  });

  it("catches credits given outside any purchase of the run, and a lost purchase", async () => {
    const { expectation } = await honestRun();
    const p = await aPurchase(expectation.prefix);
    await t.db.query("insert into credit_ledger (user_id, delta, kind, reference) values ($1, 7, 'adjustment', $2)", [
      p.user_id,
      uid("tamper"),
    ]);
    expect(await verifyExactlyOnce(query, expectation)).toEqual([
      expect.stringMatching(/ledger sums changed by other than the credits they bought/),
    ]);

    const missing = {
      ...expectation,
      deliveries: [...expectation.deliveries, { ...expectation.deliveries[0], paymentId: `${expectation.prefix}lost` }],
    };
    expect(await verifyExactlyOnce(query, missing)).toEqual(
      expect.arrayContaining([expect.stringMatching(/missing 1/)]),
    );
  });

  // last: it leaves a broken lot behind, which every later check of this database would report
  it("catches credit lots that no longer add up to the wallet (credit_invariant_violations)", async () => {
    const { expectation } = await honestRun();
    const p = await aPurchase(expectation.prefix);
    await t.db.query("update credit_lots set remaining = remaining - 1 where purchase_id = $1", [p.id]);
    expect(await verifyExactlyOnce(query, expectation)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`run: user ${p.user_id}: balance \\d+ <> lots remaining`)),
        expect.stringMatching(/remaining \d+ <> what its movements add up to/),
      ]),
    );
  });
});
