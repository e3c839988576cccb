/**
 * npm run db:types: writes lib/db/generated/database.ts, the TypeScript signatures of
 * the SQL functions, from the catalog of bootstrap + supabase/schemas (PGlite, no
 * server). Run it after changing a function's arguments or result; tsc then shows
 * every caller to update.
 */
import fs from "node:fs";
import path from "node:path";
import { buildPglite } from "./db/build";
import { generateTypes } from "./db/types-generator";

export const TYPES_FILE = path.join(process.cwd(), "lib/db/generated/database.ts");

async function main(): Promise<void> {
  const db = await buildPglite("schemas");
  try {
    const text = await generateTypes(db.query);
    fs.mkdirSync(path.dirname(TYPES_FILE), { recursive: true });
    const changed = !fs.existsSync(TYPES_FILE) || fs.readFileSync(TYPES_FILE, "utf8") !== text;
    fs.writeFileSync(TYPES_FILE, text);
    console.log(`${path.relative(process.cwd(), TYPES_FILE)} ${changed ? "written" : "already up to date"}`);
  } finally {
    await db.close();
  }
}

main().catch((error: Error) => {
  console.error(`db:types: ${error.message}`);
  process.exit(1);
});
