/** API keys as requests carry them: `Authorization: Bearer ck_…`, looked up by SHA-256 (the only form stored). */
import { createHash } from "node:crypto";

/** Any key we ever issue matches this; anything else is refused without asking the database. */
const KEY_SHAPE = /^ck_[A-Za-z0-9_-]{32,200}$/;

/** The key in the Authorization header, or null when there is none or it cannot be one of ours. */
export function bearerKey(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match && KEY_SHAPE.test(match[1]) ? match[1] : null;
}

/** SHA-256 hex, as public.api_key_hash computes it. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
