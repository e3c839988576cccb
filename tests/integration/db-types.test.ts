/**
 * lib/db/generated/database.ts is what `npm run db:types` writes from the SQL:
 * stale types would let a renamed or retyped argument through tsc.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPglite } from "@/scripts/db/build";
import { generateTypes } from "@/scripts/db/types-generator";

describe("lib/db/generated/database.ts", () => {
  it("is what npm run db:types writes from bootstrap + supabase/schemas (run it after changing a function)", async () => {
    const db = await buildPglite("schemas");
    try {
      const committed = fs.readFileSync(path.join(process.cwd(), "lib/db/generated/database.ts"), "utf8");
      expect(committed).toBe(await generateTypes(db.query));
    } finally {
      await db.close();
    }
  }, 120_000);
});
