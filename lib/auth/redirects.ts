/**
 * Where a browser may be sent. A `next=` value from a request is resolved
 * against APP_URL exactly as a browser would resolve it (tabs and newlines
 * stripped, backslashes read as slashes, `//host` as another host), and kept
 * only when it stays on our origin; everything else falls back.
 * Every absolute URL we give a browser is built from APP_URL, never from
 * request headers (Host / X-Forwarded-*), which a client or a proxy chooses.
 */
import { getEnv } from "@/lib/env";

export const DEFAULT_AFTER_SIGN_IN = "/wallet";

/** A path on this site (`/…`, never `//…`) for `next`, or `fallback`. */
export function safeNextPath(next: unknown, fallback = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return fallback;
  // Only site-relative paths: no scheme, no host, nothing a browser would drop or rewrite first.
  if (!next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  const base = new URL(getEnv().APP_URL);
  let resolved: URL;
  try {
    resolved = new URL(next, base);
  } catch {
    return fallback;
  }
  if (resolved.origin !== base.origin) return fallback;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // "/.//evil" normalizes to "//evil", which a browser reads as another host.
  return path.startsWith("//") ? fallback : path;
}

/** An absolute URL on this site for a browser (links in mails, redirects): APP_URL + path. */
export function appUrl(path: string): string {
  return new URL(path, `${getEnv().APP_URL}/`).toString();
}
