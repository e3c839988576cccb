/**
 * The account's activity (its credit ledger) as people read it: a label per
 * ledger kind, the filters built from those kinds, filtered keyset pages and
 * the CSV export. A new ledger kind gets its label and filter here and every
 * activity view (table, filters, CSV) follows.
 */
import type { Database } from "@/lib/db";
import { listCreditLedger, type Cursor, type LedgerEntry, type Page } from "@/lib/db/rpc/credits";

type LedgerKind = LedgerEntry["kind"];

/** The filters of the activity page, in the order shown; each kind belongs to exactly one. */
export const LEDGER_FILTER_LABELS = {
  purchases: "Purchases",
  spends: "Spends",
  captures: "Captured holds",
  expiries: "Expiries",
  reversals: "Reversals",
  adjustments: "Adjustments",
} as const;
export type LedgerFilter = keyof typeof LEDGER_FILTER_LABELS;

/** How each kind reads in the ledger, and which filter finds it. */
export const LEDGER_KINDS: Record<LedgerKind, { label: string; filter: LedgerFilter }> = {
  purchase: { label: "Purchase", filter: "purchases" },
  claim: { label: "Bought before sign-up", filter: "purchases" },
  refund: { label: "Refund", filter: "reversals" },
  dispute: { label: "Payment disputed", filter: "reversals" },
  dispute_reinstated: { label: "Dispute resolved in your favour", filter: "reversals" },
  spend: { label: "Spent", filter: "spends" },
  capture: { label: "Spent from a hold", filter: "captures" },
  expire: { label: "Credits expired", filter: "expiries" },
  adjustment: { label: "Adjustment", filter: "adjustments" },
};

/** The filters that some kind belongs to, with the kinds each one shows. */
export const LEDGER_FILTERS: Array<{ id: LedgerFilter; label: string; kinds: LedgerKind[] }> = (
  Object.keys(LEDGER_FILTER_LABELS) as LedgerFilter[]
)
  .map((id) => ({
    id,
    label: LEDGER_FILTER_LABELS[id],
    kinds: (Object.keys(LEDGER_KINDS) as LedgerKind[]).filter((kind) => LEDGER_KINDS[kind].filter === id),
  }))
  .filter((f) => f.kinds.length > 0);

/** `?kind=` as a filter; anything else (absent, unknown, repeated) reads as "everything". */
export function parseLedgerFilter(value: unknown): LedgerFilter | undefined {
  return typeof value === "string" && LEDGER_FILTERS.some((f) => f.id === value) ? (value as LedgerFilter) : undefined;
}

/** The database returns at most this many ledger rows per call. */
const BATCH = 100;
/** A filtered page reads at most this many rows; past them it ends early with a cursor to go on from. */
const MAX_SCANNED_PER_PAGE = 2_000;

/**
 * One page of the ledger, optionally of one filter only. Unfiltered, it is one
 * call; filtered, it reads the ledger newest first in batches until the page is
 * full, the ledger ends, or MAX_SCANNED_PER_PAGE rows were read (then `next`
 * continues from the last row read, so paging on never skips a row).
 */
export async function listActivity(
  db: Database,
  userId: string,
  options: { before?: Cursor; filter?: LedgerFilter; limit?: number } = {},
): Promise<Page<LedgerEntry>> {
  const limit = options.limit ?? 20;
  const filter = options.filter;
  if (!filter) return listCreditLedger(db, userId, { before: options.before, limit });

  const rows: LedgerEntry[] = [];
  let before = options.before;
  for (let scanned = 0; scanned < MAX_SCANNED_PER_PAGE;) {
    const batch = await listCreditLedger(db, userId, { before, limit: BATCH });
    scanned += batch.rows.length;
    for (const row of batch.rows) {
      if (LEDGER_KINDS[row.kind].filter !== filter) continue;
      if (rows.length === limit) return { rows, next: cursorOf(rows.at(-1)!) };
      rows.push(row);
    }
    if (!batch.next) return { rows, next: null };
    before = batch.next;
  }
  return { rows, next: before ?? null };
}

const cursorOf = (row: LedgerEntry): Cursor => ({ at: row.cursor_at, id: row.id });

/** The most rows one export writes (about 10 MB); an account with more exports one filter at a time. */
export const MAX_EXPORT_ROWS = 100_000;

const CSV_HEADER = ["date_utc", "kind", "what", "package", "reason", "credits", "reference"];

/**
 * A cell as spreadsheet programs read it safely: quoted when needed, and text
 * that would start a formula (= + - @, tab, CR) prefixed with ' (reasons come from API callers).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(entry: LedgerEntry): string {
  return [
    entry.created_at.toISOString(),
    entry.kind,
    LEDGER_KINDS[entry.kind].label,
    entry.package_name,
    entry.reason,
    entry.delta,
    entry.reference,
  ]
    .map(csvCell)
    .join(",");
}

/** The ledger (or one filter of it) as CSV, newest first, read from the database a batch at a time as it is sent. */
export function activityCsv(db: Database, userId: string, filter?: LedgerFilter): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let before: Cursor | undefined;
  let written = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`${CSV_HEADER.join(",")}\r\n`));
    },
    async pull(controller) {
      if (done) return;
      const page = await listActivity(db, userId, { before, filter, limit: BATCH });
      const rows = page.rows.slice(0, MAX_EXPORT_ROWS - written);
      written += rows.length;
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((r) => `${csvRow(r)}\r\n`).join("")));
      if (!page.next || written >= MAX_EXPORT_ROWS) {
        done = true;
        controller.close();
      } else before = page.next;
    },
  });
}
