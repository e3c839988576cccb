// GET /wallet/activity.csv[?kind=]: the signed-in person's ledger as CSV, streamed from the database a batch at a time.
import { activityCsv, parseLedgerFilter } from "@/lib/account/ledger-activity";
import { getSessionFromRequest } from "@/lib/auth";
import { DatabaseUnavailableError, getDb } from "@/lib/db";
import { listCreditLedger } from "@/lib/db/rpc/credits";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const db = getDb();
  let session;
  try {
    session = await getSessionFromRequest(request);
    if (!session) return new Response("Sign in to export your activity.\n", { status: 401 });
    // Fails before the first byte when the database is down, so the answer is a 503, not a cut-off file.
    await listCreditLedger(db, session.userId, { limit: 1 });
  } catch (e) {
    if (e instanceof DatabaseUnavailableError) return new Response("The database did not answer.\n", { status: 503 });
    throw e;
  }
  const filter = parseLedgerFilter(new URL(request.url).searchParams.get("kind") ?? undefined);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(activityCsv(db, session.userId, filter), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="credits-activity-${filter ?? "all"}-${day}.csv"`,
      "cache-control": "private, no-store",
    },
  });
}
