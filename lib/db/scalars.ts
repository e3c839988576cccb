/** zod scalars that accept what each adapter returns (pg: int8 as string, Date; PostgREST: JSON). */
import { z } from "zod";

/** A whole number that fits a JS number exactly (credits, minor units, counts). */
export const int = z.union([z.number(), z.string(), z.bigint()]).transform((value, ctx) => {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: "custom", message: `not a safe integer: ${String(value)}` });
    return z.NEVER;
  }
  return n;
});

export const decimal = z.union([z.number(), z.string()]).transform((v) => Number(v));

export const timestamp = z.union([z.date(), z.string()]).transform((v) => (v instanceof Date ? v : new Date(v)));

export const uuid = z.string().uuid();
