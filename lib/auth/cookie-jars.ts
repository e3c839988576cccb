/** CookieJars over a Request (route handlers, tests) and over next/headers (pages, server actions). */
import { cookies } from "next/headers";
import type { CookieJar, CookieOptions } from "./session";

export interface SetCookie {
  name: string;
  value: string;
  options?: CookieOptions;
}

/** Reads the Request's Cookie header; records what the backend sets so the route can put it on its Response. */
export function requestCookieJar(request: Request): CookieJar & { written: SetCookie[] } {
  const jar = new Map<string, string>();
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      jar.set(name, decodeURIComponent(raw));
    } catch {
      jar.set(name, raw);
    }
  }
  const written: SetCookie[] = [];
  return {
    written,
    get: (name) => jar.get(name),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set(name, value, options) {
      jar.set(name, value);
      written.push({ name, value, options });
    },
  };
}

/**
 * The current request's cookies. Server Components may not set cookies: there
 * the set is skipped (middleware already refreshed the session).
 */
export async function nextCookieJar(): Promise<CookieJar> {
  const store = await cookies();
  return {
    get: (name) => store.get(name)?.value,
    getAll: () => store.getAll().map(({ name, value }) => ({ name, value })),
    set(name, value, options) {
      try {
        store.set({ name, value, ...options });
      } catch {
        // read-only in Server Components
      }
    },
  };
}
