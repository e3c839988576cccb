/** classifyDriverError: "the database is unreachable" (retry later, 503) versus "the database said no". */
import { describe, expect, it } from "vitest";
import { classifyDriverError, DatabaseError, DatabaseUnavailableError } from "@/lib/db/errors";

const driverError = (code: string | undefined, message = "boom") => Object.assign(new Error(message), { code });

describe("classifyDriverError", () => {
  it.each([
    ["ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"],
    ["ECONNRESET", "read ECONNRESET"],
    ["ETIMEDOUT", "connect ETIMEDOUT"],
    ["ENOTFOUND", "getaddrinfo ENOTFOUND db"],
    ["08006", "connection failure"],
    ["08001", "could not connect"],
    ["57P01", "terminating connection due to administrator command"],
    ["57P03", "the database system is starting up"],
    ["53300", "too many connections"],
    ["40001", "could not serialize access due to concurrent update"],
    ["40P01", "deadlock detected"],
    ["57014", "canceling statement due to statement timeout"],
  ])("classifies %s as unavailable (retry later)", (code, message) => {
    const error = classifyDriverError(driverError(code, message));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toContain(code);
    expect((error as Error & { cause?: unknown }).cause).toMatchObject({ code });
  });

  it.each([
    "Connection terminated unexpectedly",
    "timeout exceeded when trying to connect",
    "Cannot use a pool after calling end on the pool",
  ])("classifies a pg error without a code (%s) as unavailable", (message) => {
    expect(classifyDriverError(new Error(message))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it.each([
    ["P0001", "insufficient credits: balance 10, requested 11"],
    ["P0002", "purchase not found: stripe pi_1"],
    ["22023", "currency must be a three-letter code"],
    ["23505", "duplicate key value violates unique constraint"],
    ["42501", "permission denied for function grant_credits_for_purchase"],
  ])("classifies %s as a DatabaseError keeping the code and message", (code, message) => {
    const error = classifyDriverError(driverError(code, message));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code, message });
  });

  it("keeps an error without a code as a DatabaseError", () => {
    expect(classifyDriverError(new Error("syntax error"))).toMatchObject({
      name: "DatabaseError",
      code: undefined,
      message: "syntax error",
    });
    expect(classifyDriverError("a string")).toMatchObject({ name: "DatabaseError", message: "a string" });
  });

  it("returns an already classified error unchanged", () => {
    const unavailable = new DatabaseUnavailableError();
    const refused = new DatabaseError("no", "P0001");
    expect(classifyDriverError(unavailable)).toBe(unavailable);
    expect(classifyDriverError(refused)).toBe(refused);
  });
});
