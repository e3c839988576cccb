/**
 * The TCP peer of each request, which Next.js does not hand to app code: it
 * copies the socket address into X-Forwarded-For only when the client sent no
 * such header, so a client that sends one hides its address. At start-up
 * (instrumentation-node.ts) this stamps every incoming request with the
 * socket's address in a header of its own, overwriting whatever a client put
 * there; the value carries a per-process nonce, so a client cannot forge it
 * even where the stamp is not installed.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";

export const PEER_ADDRESS_HEADER = "x-credits-peer-address";

interface PeerState {
  nonce: string;
  installed: boolean;
}

/** One state per process, shared by the separately bundled server, middleware and instrumentation code. */
function state(): PeerState {
  const holder = globalThis as typeof globalThis & { __creditsPeerAddress?: PeerState };
  holder.__creditsPeerAddress ??= { nonce: randomBytes(16).toString("hex"), installed: false };
  return holder.__creditsPeerAddress;
}

export function installPeerAddressHeader(): void {
  const peer = state();
  if (peer.installed) return;
  peer.installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[PEER_ADDRESS_HEADER] = `${peer.nonce} ${request.socket?.remoteAddress ?? ""}`;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}

/** The socket address stamped on this request, or null when there is no genuine stamp. */
export function peerAddress(headers: Headers): string | null {
  const value = headers.get(PEER_ADDRESS_HEADER);
  if (!value) return null;
  const [nonce, address] = value.split(" ");
  return nonce === state().nonce && address ? address : null;
}
