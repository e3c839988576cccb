/**
 * The admin event log's URL: filter fields and the keyset cursor, parsed from
 * search params with zod. A bad field is dropped and reported, not fatal, so a
 * hand-edited URL still shows a page.
 */
import { z } from "zod";
import { EVENT_STATUSES, type EventFilter } from "@/lib/db/rpc/webhook-events";
import { PROVIDERS } from "@/lib/providers/names";

export const PAGE_SIZE = 50;

type SearchParams = Record<string, string | string[] | undefined>;

const day = z.iso.date({ message: "use a date like 2026-01-31" });

const searchSchema = z.object({
  provider: z.enum(PROVIDERS, { message: "unknown provider" }).optional(),
  status: z.enum(EVENT_STATUSES, { message: "unknown status" }).optional(),
  type: z
    .string()
    .max(100, "too long")
    .regex(/^[\w.:-]+$/, "letters, digits and . _ : - only")
    .optional(),
  q: z.string().max(255, "too long").optional(),
  from: day.optional(),
  to: day.optional(),
});
type Field = keyof typeof searchSchema.shape;
const FIELDS = Object.keys(searchSchema.shape) as Field[];
const FIELD_LABELS: Record<Field, string> = {
  provider: "Provider",
  status: "Status",
  type: "Type",
  q: "Search",
  from: "From",
  to: "To",
};

/** The valid filter values: the form's defaults and the links' query. */
export type SearchValues = z.infer<typeof searchSchema>;

export interface Cursor {
  receivedAt: Date;
  id: string;
}

export interface EventSearch {
  values: SearchValues;
  filter: Omit<EventFilter, "before" | "limit">;
  cursor?: Cursor;
  problems: string[];
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

const cursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

/** Opaque to the browser: base64url of the last row's (received_at, id). */
export function encodeCursor(row: { received_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.received_at.toISOString(), row.id])).toString("base64url");
}

export function decodeCursor(value: string): Cursor | undefined {
  try {
    const parsed = cursorShape.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? { receivedAt: new Date(parsed.data[0]), id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}

const startOfDayUtc = (date: string) => new Date(`${date}T00:00:00.000Z`);
const DAY_MS = 86_400_000;

export function parseEventSearch(params: SearchParams): EventSearch {
  const problems: string[] = [];
  const input: Partial<Record<Field, string>> = {};
  for (const field of FIELDS) input[field] = first(params[field]);
  // Each field stands alone: report and drop the invalid ones, keep the rest.
  const checked = searchSchema.safeParse(input);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = FIELDS.find((f) => f === issue.path[0]);
      if (!field || input[field] === undefined) continue;
      problems.push(`${FIELD_LABELS[field]}: ${issue.message}`);
      input[field] = undefined;
    }
  }
  const values = searchSchema.parse(input);

  const from = values.from ? startOfDayUtc(values.from) : undefined;
  // "To" is inclusive in the form: the whole day counts, so the bound is the next midnight.
  let to = values.to ? new Date(startOfDayUtc(values.to).getTime() + DAY_MS) : undefined;
  if (from && to && from >= to) {
    problems.push("From must be on or before To");
    values.to = undefined;
    to = undefined;
  }

  const rawCursor = first(params.cursor);
  const cursor = rawCursor ? decodeCursor(rawCursor) : undefined;
  if (rawCursor && !cursor) problems.push("The page link was not valid; showing the newest events");

  const { provider, status, type, q } = values;
  return { values, filter: { provider, status, type, q, from, to }, cursor, problems };
}

export function hasFilters(values: SearchValues): boolean {
  return Object.values(values).some((v) => v !== undefined);
}

/** /admin/events with these filters (and optionally a cursor). */
export function eventsHref(values: SearchValues, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return query ? `/admin/events?${query}` : "/admin/events";
}

/** Suggestions for the Type field (any type may be typed; these are the ones the providers handle). */
export const KNOWN_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.closed",
  "invoice.paid",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "TRANSACTION_STATUS_UPDATED",
  "transaction.status.updated",
  "invoice.updated",
  "charge.success",
  "alert",
];
