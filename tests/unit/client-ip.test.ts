/** The client address for rate limits: the TCP peer, unless TRUST_PROXY says how many proxies appended to X-Forwarded-For. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientIp } from "@/lib/auth/client-ip";
import { installPeerAddressHeader, PEER_ADDRESS_HEADER } from "@/lib/http/peer-address";

/** Headers as our server sees them: a real request through node:http with the peer stamp installed. */
async function received(headers: Record<string, string>): Promise<Headers> {
  installPeerAddressHeader();
  const server = http.createServer((request, response) => {
    response.end(JSON.stringify(request.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const body = await (await fetch(`http://127.0.0.1:${port}/`, { headers })).json();
    return new Headers(body as Record<string, string>);
  } finally {
    server.close();
  }
}

describe("clientIp", () => {
  it("ignores a client-sent X-Forwarded-For with TRUST_PROXY=0: the peer is the client", async () => {
    const headers = await received({ "x-forwarded-for": "203.0.113.7, 198.51.100.1" });
    expect(clientIp(headers, 0)).toBe("127.0.0.1");
    const rotated = await received({ "x-forwarded-for": "192.0.2.99" });
    expect(clientIp(rotated, 0)).toBe("127.0.0.1");
  });

  it("takes the entry the trusted proxies appended, never one further left", async () => {
    const headers = await received({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" });
    expect(clientIp(headers, 1)).toBe("203.0.113.7"); // the peer is the proxy; it appended the client
    expect(clientIp(headers, 2)).toBe("6.6.6.6");
    expect(clientIp(headers, 5)).toBe("6.6.6.6"); // more hops than entries: the left-most
  });

  it("does not believe a forged peer stamp", async () => {
    const forged = new Headers({ [PEER_ADDRESS_HEADER]: "0000 10.9.9.9", "x-forwarded-for": "10.8.8.8" });
    expect(clientIp(forged, 0)).toBe("unknown");
    const overwritten = await received({ [PEER_ADDRESS_HEADER]: "0000 10.9.9.9" });
    expect(clientIp(overwritten, 0)).toBe("127.0.0.1");
  });
});
