/**
 * One POST of a delivery, to the address vetDestination approved: the socket
 * connects to that address (the lookup is pinned, nothing resolves the name
 * again), TLS still verifies the certificate against the URL's host name. No
 * redirect is followed (a 3xx is a failed attempt), the whole exchange has a
 * time limit (15 s), and at most the first 1 KB of the answer is read.
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress } from "./url-policy";

export const SEND_TIMEOUT_MS = 15_000;
/** Bytes of the answer kept with the attempt (and read at all). */
export const ANSWER_BYTES = 1024;

export interface PostResult {
  status: number;
  /** The first ANSWER_BYTES bytes of the answer, as text. */
  body: string;
}

function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as LookupFunction;
}

export function postPinned(
  url: string,
  target: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs = SEND_TIMEOUT_MS,
): Promise<PostResult> {
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result!);
    };
    const request = client.request(
      u,
      {
        method: "POST",
        lookup: pinnedLookup(target),
        agent: false,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "user-agent": "credits-webhooks/1 (Standard Webhooks)",
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString("utf8");
          finish(null, { status: response.statusCode ?? 0, body: text.replace(/\uFFFD+$/, "") });
          response.destroy();
        };
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= ANSWER_BYTES) done();
        });
        response.on("end", done);
        response.on("error", (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    request.on("error", (error) => finish(error));
    request.end(body);
  });
}
