/**
 * The client address for the per-IP sign-in limit. Behind a proxy the first
 * X-Forwarded-For entry is the client; without one the header is
 * client-controlled, which is why the per-e-mail limit exists as well.
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
