/**
 * Where an outgoing webhook may go. In production an endpoint URL must be
 * https:// and every address its host resolves to must be public unicast: not
 * loopback, private, link-local (169.254.169.254, the cloud metadata service),
 * unique-local, carrier-grade NAT, multicast, reserved, or an IPv6 form that
 * embeds an IPv4 address (mapped, 6to4, Teredo, NAT64). The check runs at send
 * time, after DNS, and the connection is made to the address that passed
 * (lib/outgoing-webhooks/post.ts), so a name that resolves differently a
 * second later (DNS rebinding) cannot move it. OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1
 * allows http:// and private addresses, for receivers inside the owner's network.
 *
 * ipaddr.js classifies addresses by the IANA special-purpose registries; a
 * hand-written list of prefixes is where SSRF filters usually leak.
 */
import dns from "node:dns";
import net from "node:net";
import ipaddr from "ipaddr.js";

export interface UrlPolicy {
  /** https:// only and public addresses only (production without OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1). */
  strict: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** How names are resolved (tests pass their own to play DNS). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefusedUrlError";
  }
}

export const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** True for a public unicast address; false for everything an SSRF would aim at. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // an IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is
  return ipaddr.process(address).range() === "unicast";
}

/** The URL's problem as an endpoint (syntax, scheme, a literal forbidden address), or null. */
export function endpointUrlProblem(raw: string, policy: UrlPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an https:// URL";
  if (policy.strict && url.protocol !== "https:") return "must be an https:// URL in production";
  if (url.username || url.password) return "must not carry a user name or password";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (policy.strict && net.isIP(host) && !isPublicAddress(host))
    return "points at a loopback, private or link-local address";
  return null;
}

/**
 * The address to connect to for this URL: resolved now and checked under the
 * policy (every address the name has must pass, so a mixed answer is refused).
 */
export async function vetDestination(
  raw: string,
  policy: UrlPolicy,
  resolve: Resolver = systemResolver,
): Promise<ResolvedAddress> {
  const problem = endpointUrlProblem(raw, policy);
  if (problem) throw new RefusedUrlError(`refused: the URL ${problem}`);
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, "");
  let addresses: ResolvedAddress[];
  const literal = net.isIP(host);
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      throw new RefusedUrlError(`cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? "DNS error"}`);
    }
    if (addresses.length === 0) throw new RefusedUrlError(`cannot resolve ${host}: no address`);
  }
  if (policy.strict) {
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked)
      throw new RefusedUrlError(
        `refused: ${host} resolves to ${blocked.address}, a loopback, private or link-local address (OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1 allows it)`,
      );
  }
  return addresses[0];
}
