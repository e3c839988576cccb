/** buildSqlCall: an rpc becomes one parameterized call in Postgres named notation. */
import { describe, expect, it } from "vitest";
import { buildSqlCall, resultOf } from "@/lib/db/sql-call";

describe("buildSqlCall", () => {
  it("calls the function in named notation with one parameter per argument", () => {
    expect(buildSqlCall("spend_credits", { p_user_id: "u1", p_amount: 5, p_idempotency_key: "k" })).toEqual({
      text: "select public.spend_credits(p_user_id => $1, p_amount => $2, p_idempotency_key => $3) as result",
      values: ["u1", 5, "k"],
      key: "one:spend_credits(p_user_id,p_amount,p_idempotency_key)",
    });
  });

  it("selects rows from a set-returning function", () => {
    const call = buildSqlCall("list_webhook_events", { p_limit: 10 }, { returns: "rows" });
    expect(call.text).toBe("select * from public.list_webhook_events(p_limit => $1)");
    expect(call.key).toBe("rows:list_webhook_events(p_limit)");
  });

  it("calls a function without arguments", () => {
    expect(buildSqlCall("health_check")).toMatchObject({ text: "select public.health_check() as result", values: [] });
  });

  it("omits undefined arguments so the function's defaults apply, but passes null", () => {
    const call = buildSqlCall("grant_credits_for_purchase", {
      p_provider: "stripe",
      p_package_id: undefined,
      p_event_id: null,
    });
    expect(call.text).toBe("select public.grant_credits_for_purchase(p_provider => $1, p_event_id => $2) as result");
    expect(call.values).toEqual(["stripe", null]);
  });

  it("encodes objects as JSON, keeps arrays and dates for the driver, and passes bigints as text", () => {
    const when = new Date("2026-01-01T00:00:00Z");
    const call = buildSqlCall("f", {
      p_args: { a: [1, { b: "c" }] },
      p_emails: ["a@x", "b@x"],
      p_at: when,
      p_big: 2n ** 60n,
    });
    expect(call.values).toEqual(['{"a":[1,{"b":"c"}]}', ["a@x", "b@x"], when, "1152921504606846976"]);
  });

  it("keys statements by shape, not by values", () => {
    expect(buildSqlCall("f", { p_a: 1 }).key).toBe(buildSqlCall("f", { p_a: 2 }).key);
    expect(buildSqlCall("f", { p_a: 1 }).key).not.toBe(buildSqlCall("f", { p_a: 1, p_b: 2 }).key);
  });

  it.each(["drop table x", "Grant", "f()", "public.f", "f;", "1f", "", "a".repeat(64), "f-x"])(
    "rejects the function name %j",
    (name) => {
      expect(() => buildSqlCall(name, {})).toThrow(/invalid function name/);
    },
  );

  it.each(["p_a => 1); drop table x; --", "P_A", "p a", "", "1p"])("rejects the argument name %j", (arg) => {
    expect(() => buildSqlCall("f", { [arg]: 1 })).toThrow(/invalid argument name/);
  });
});

describe("resultOf", () => {
  it("returns the single value of a scalar call, or null when there is no row", () => {
    expect(resultOf([{ result: { ok: true } }])).toEqual({ ok: true });
    expect(resultOf([{ result: null }])).toBeNull();
    expect(resultOf([])).toBeNull();
  });

  it("returns every row of a set-returning call", () => {
    expect(resultOf([{ id: 1 }, { id: 2 }], { returns: "rows" })).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
