/**
 * Opens the embedded database when the server starts, outside any request.
 *
 * Why: in `next dev`, React's Flight renderer records every promise a server
 * component awaits and serialises the value of the I/O it waited on into the
 * RSC stream's debug info. When a page render was the first to open PGlite,
 * one of PGlite's own start-up promises (it resolves to the WASM module) became
 * such an I/O node, and React wrote PGlite's 190 MB WASM heap into the stream:
 * the page answered 500 ("ArrayBuffer is not detachable", Node 22+) or the
 * process ran out of memory (Node 20). Opened here, at start-up, none of those
 * promises belongs to a render. docs/performance.md#dev-cold-start has the trace.
 */
import { getDb, isSqlDatabase } from "@/lib/db";
import { getEnv } from "@/lib/env";

export async function openEmbeddedDatabaseAtStart(): Promise<void> {
  if (getEnv().mode !== "embedded") return; // a server database needs no warming; routes open their pool
  const db = getDb();
  if (!isSqlDatabase(db)) return;
  const started = performance.now();
  try {
    await db.query("select 1");
    console.log(`[db] embedded database ready in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    // Keep serving: requests answer 503 and retry the open themselves.
    console.error(`[db] embedded database failed to open: ${(error as Error).message}`);
  }
}
