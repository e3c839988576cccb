/** Small readers shared by the Stripe event planners: ids, credits metadata, and payload parsing. */
import type { z } from "zod";
import { fail, type Plan } from "@/lib/ingest/types";
import type { StripeEvent } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const asUserId = (value: string | null | undefined): string | null => (value && UUID.test(value) ? value : null);

/** Credits named by metadata: a package id (credits looked up in SQL) or a whole number of credits. */
export function creditsFrom(metadata: Record<string, string | null | undefined>): {
  packageId: string | null;
  credits: number | null;
} {
  const packageId = metadata.package_id?.trim() || null;
  const raw = metadata.credits?.trim();
  const credits = raw && /^\d{1,15}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
  return { packageId, credits };
}

/** The event's object narrowed by schema, or a failed plan naming what did not match. */
export function parseObject<S extends z.ZodType>(schema: S, event: StripeEvent): z.infer<S> | Plan {
  const parsed = schema.safeParse(event.data.object);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail(`unexpected ${event.type} payload: ${issue.path.join(".") || "object"} ${issue.message}`);
}

export const isPlan = (value: unknown): value is Plan =>
  typeof value === "object" && value !== null && "action" in value && "args" in value;

/** Distinct non-empty ids, in order (the order is a preference: SQL tries them first to last). */
export const idList = (...ids: Array<string | null | undefined>): string[] => [
  ...new Set(ids.filter((id): id is string => !!id)),
];
