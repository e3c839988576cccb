import { createHash, timingSafeEqual } from "node:crypto";

/** Constant-time string comparison (hashing first hides length differences too). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** True when `Authorization: Bearer <token>` carries the expected token; false when none is configured. */
export function hasBearerToken(request: Request, expected: string | undefined): boolean {
  if (!expected) return false;
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match !== null && safeEqual(match[1].trim(), expected);
}
