/**
 * Fireblocks deliveries signed like Fireblocks does: a local RSA key for the
 * legacy Fireblocks-Signature (RSA-SHA512 over the raw body) and a local JWKS
 * server (node:http, 127.0.0.1, random port) for the detached-JWS
 * Fireblocks-Webhook-Signature, whose keys can be rotated.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, FlattenedSign } from "jose";
import { payloadOf, webhookRequest } from "./webhook-request";

export const uid = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

export interface RsaKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

export function rsaKey(kid = uid("kid")): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, publicKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

export function legacySignature(body: string, key: RsaKey): string {
  return sign("RSA-SHA512", Buffer.from(body), key.privateKey).toString("base64");
}

/** A detached JWS over the body: `<protected>..<signature>` (payload base64url in the signing input unless b64:false). */
export async function jwsSignature(
  body: string,
  key: RsaKey,
  options: { b64?: boolean; alg?: string } = {},
): Promise<string> {
  const header =
    options.b64 === false
      ? { alg: options.alg ?? "RS512", kid: key.kid, b64: false, crit: ["b64"] }
      : { alg: options.alg ?? "RS512", kid: key.kid };
  const jws = await new FlattenedSign(new TextEncoder().encode(body)).setProtectedHeader(header).sign(key.privateKey);
  return `${jws.protected}..${jws.signature}`;
}

export interface JwksServer {
  url: string;
  fetches: () => number;
  setKeys(keys: RsaKey[]): Promise<void>;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startJwksServer(initial: RsaKey[]): Promise<JwksServer> {
  let body = "";
  let down = false;
  let fetches = 0;
  const setKeys = async (keys: RsaKey[]) => {
    const jwks = await Promise.all(
      keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: "RS512", use: "sig" })),
    );
    body = JSON.stringify({ keys: jwks });
  };
  await setKeys(initial);
  const server = http.createServer((request, response) => {
    fetches++;
    if (down || request.url !== "/.well-known/jwks.json") {
      response.writeHead(down ? 503 : 404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=3600" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    setKeys,
    setDown: (value) => void (down = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function transaction(overrides: Record<string, unknown> = {}) {
  return {
    id: crypto.randomUUID(),
    status: "COMPLETED",
    subStatus: "CONFIRMED",
    operation: "TRANSFER",
    assetId: "USDC",
    amount: 12.5,
    amountUSD: 12.5,
    amountInfo: { amount: "12.5", requestedAmount: "12.5", netAmount: "12.5", amountUSD: "12.50" },
    source: { type: "UNKNOWN", name: "External" },
    destination: { type: "VAULT_ACCOUNT", id: "0", name: "Deposits" },
    destinationAddress: "0x0000000000000000000000000000000000000000",
    ...overrides,
  };
}

export const v1Event = (data: Record<string, unknown>, type = "TRANSACTION_STATUS_UPDATED") => ({
  type,
  tenantId: "tenant-1",
  timestamp: Date.now(),
  data,
});

export const v2Event = (data: Record<string, unknown>, eventType = "transaction.status.updated") => ({
  id: crypto.randomUUID(),
  eventType,
  createdAt: Date.now(),
  workspaceId: "workspace-1",
  data,
});

export function fireblocksRequest(body: string | object, headers: Record<string, string | null>): Request {
  return webhookRequest("fireblocks", payloadOf(body), headers);
}
