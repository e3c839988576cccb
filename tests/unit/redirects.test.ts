/** next= resolves only to our own origin; anything a browser would read as another host falls back to /wallet. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appUrl, safeNextPath } from "@/lib/auth/redirects";
import { resetEnvCache } from "@/lib/env";

beforeAll(() => {
  process.env.APP_URL = "https://credits.example.com";
  resetEnvCache();
});
afterAll(() => {
  delete process.env.APP_URL;
  resetEnvCache();
});

describe("safeNextPath", () => {
  it.each([
    ["/%09/evil.example", "percent-encoded tab, as the issue reproduced it"],
    ["/\t/evil.example", "the same tab, decoded by searchParams"],
    ["/\n/evil.example", "newline"],
    ["//evil.example", "protocol-relative"],
    ["/\\evil.example", "backslash"],
    ["\\\\evil.example", "two backslashes"],
    ["https://evil.example/wallet", "absolute URL"],
    ["http:evil.example", "scheme without slashes"],
    ["javascript:alert(1)", "script URL"],
    ["/.//evil.example", "dot segment that normalizes to //"],
    [" /wallet", "leading space"],
    ["wallet", "relative without slash"],
    ["", "empty"],
  ])("falls back for %j (%s)", (next) => {
    const result = safeNextPath(next);
    // whatever comes back must resolve to our own origin in a browser
    expect(new URL(result, "https://credits.example.com").origin).toBe("https://credits.example.com");
    expect(result.startsWith("//")).toBe(false);
  });

  it("falls back to /wallet for what would leave the site", () => {
    for (const next of ["/\t/evil.example", "//evil", "/\\evil", "https://evil.example", "/.//evil.example"]) {
      expect([next, safeNextPath(next)]).toEqual([next, "/wallet"]);
    }
    expect(safeNextPath(undefined)).toBe("/wallet");
    expect(safeNextPath(["/purchases"])).toBe("/wallet");
  });

  it("keeps a path, query and fragment on this site", () => {
    expect(safeNextPath("/purchases?before=x#top")).toBe("/purchases?before=x#top");
    expect(safeNextPath("/admin/events/123")).toBe("/admin/events/123");
  });
});

describe("appUrl", () => {
  it("builds browser URLs from APP_URL", () => {
    expect(appUrl("/verify-email?token=abc")).toBe("https://credits.example.com/verify-email?token=abc");
  });
});
