/**
 * The client address for the per-IP sign-in / sign-up limits. The TCP peer is
 * the client unless TRUST_PROXY says that many reverse proxies stand in front
 * of us: each appends the address it received from to X-Forwarded-For, so the
 * client is the entry TRUST_PROXY places left of the peer. Entries further
 * left were written by the client and are never believed.
 */
import { getEnv } from "@/lib/env";
import { peerAddress } from "@/lib/http/peer-address";

/** The IPv4 form of an IPv4-mapped IPv6 address ("::ffff:203.0.113.9"), so one client has one key. */
function normalize(address: string): string {
  const trimmed = address.trim().toLowerCase();
  return trimmed.startsWith("::ffff:") && trimmed.includes(".") ? trimmed.slice(7) : trimmed;
}

export function clientIp(headers: Headers, trustProxy = getEnv().TRUST_PROXY): string {
  const peer = peerAddress(headers);
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer ?? "unknown"];
  const index = Math.max(0, chain.length - 1 - trustProxy);
  return normalize(chain[index]);
}
