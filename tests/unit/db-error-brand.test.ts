/**
 * Next bundles lib/db/errors.ts once per server entry, and the database object is
 * process-wide, so errors must be recognised by brand, not class identity
 * (a second copy of the module stands in for another bundle here).
 */
import { describe, expect, it, vi } from "vitest";
import { DatabaseError, DatabaseUnavailableError } from "@/lib/db/errors";

describe("database errors from another copy of lib/db/errors.ts", () => {
  it("are still instances of the classes a route checks against", async () => {
    vi.resetModules();
    const copy: string = "@/lib/db/errors?copy"; // a query string makes Vite load a second instance
    const other = (await import(/* @vite-ignore */ copy)) as typeof import("@/lib/db/errors");
    expect(other.DatabaseUnavailableError).not.toBe(DatabaseUnavailableError);
    expect(new other.DatabaseUnavailableError("down")).toBeInstanceOf(DatabaseUnavailableError);
    expect(new other.DatabaseError("refused", "P0001")).toBeInstanceOf(DatabaseError);
  });

  it("are not confused with each other or with plain errors", () => {
    expect(new DatabaseUnavailableError()).not.toBeInstanceOf(DatabaseError);
    expect(new DatabaseError("x", "23505")).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(new Error("database unavailable")).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(null).not.toBeInstanceOf(DatabaseError);
  });
});
