/** One page of the admin event log: PAGE_SIZE rows plus whether older ones exist (keyset, never OFFSET). */
import type { Database } from "@/lib/db";
import { listWebhookEvents, type EventSummary } from "@/lib/db/rpc/webhook-events";
import { PAGE_SIZE, encodeCursor, type EventSearch } from "./event-search";

export interface EventPage {
  events: EventSummary[];
  /** Cursor of the page after this one, when there is one. */
  olderCursor?: string;
}

export async function loadEventPage(db: Database, search: EventSearch): Promise<EventPage> {
  // One extra row tells whether an "Older" link leads anywhere.
  const rows = await listWebhookEvents(db, { ...search.filter, before: search.cursor, limit: PAGE_SIZE + 1 });
  const events = rows.slice(0, PAGE_SIZE);
  const last = events.at(-1);
  return { events, olderCursor: rows.length > PAGE_SIZE && last ? encodeCursor(last) : undefined };
}
