/**
 * Readers shared by the providers: the JSON body, zod results as plans, buyer
 * ids and credits metadata. Pure, no I/O.
 */
import type { z } from "zod";
import { fail, WebhookRejection, type Plan } from "@/lib/ingest/types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id of ours named by a payload (metadata, client_reference_id), when it is a UUID; anything else is ignored. */
export const asUuid = (value: string | null | undefined): string | null => (value && UUID.test(value) ? value : null);

/** A user id named by a payload, when it is a UUID. */
export const asUserId = asUuid;

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

/** Distinct non-empty ids, in order (the order is a preference: SQL tries them first to last). */
export const idList = (...ids: Array<string | null | undefined>): string[] => [
  ...new Set(ids.filter((id): id is string => !!id)),
];

/**
 * The first problem zod found, as "<where> <message>": `at` names the part that
 * was parsed ("data"), the issue's path follows it; without `at`, an empty path
 * reads as "object".
 */
export function describeIssue(error: z.ZodError, at = ""): string {
  const issue = error.issues[0];
  const path = issue.path.join(".");
  const where = at ? [at, path].filter(Boolean).join(".") : path || "object";
  return `${where} ${issue.message}`;
}

/** A part of a verified payload, narrowed by its schema, or the failed plan that says what did not match. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; plan: Plan };

export function parsePart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  eventType: string,
  at = "",
): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, plan: fail(`unexpected ${eventType} payload: ${describeIssue(parsed.error, at)}`) };
}

/** The raw body as JSON, or a 400 (nothing is stored for a body that is not JSON). */
export function parseJsonBody(rawBody: Buffer | string): unknown {
  try {
    return JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    throw new WebhookRejection(400, "malformed JSON body");
  }
}
