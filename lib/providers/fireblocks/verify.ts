/**
 * Fireblocks signs each webhook twice during its migration; either valid
 * signature is enough:
 * - JWKS (`Fireblocks-Webhook-Signature`): a detached JWS `<header>..<signature>`,
 *   RS512, key chosen by `kid` from the JWKS at FIREBLOCKS_JWKS_URL. The signed
 *   payload is the raw body, base64url-encoded in the signing input as in any
 *   compact JWS, or used as is when the header says `b64: false` (RFC 7797).
 * - legacy (`Fireblocks-Signature`): base64 RSA-SHA512 (PKCS#1 v1.5) over the
 *   raw body, with FIREBLOCKS_WEBHOOK_PUBLIC_KEY or Fireblocks' production key.
 * The legacy check is local, so it runs first; the JWKS check may fetch keys.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, flattenedVerify } from "jose";
import { UpstreamUnavailableError, WebhookRejection } from "@/lib/ingest/types";
import { FIREBLOCKS_PRODUCTION_WEBHOOK_PUBLIC_KEY } from "./keys";

/**
 * jose refetches the key set when a `kid` is unknown, but not within
 * `cooldownDuration` of the last fetch (default 30 s): right after a key
 * rotation the new kid would be refused for up to 30 s. One second keeps a
 * burst of forged kids from turning into a burst of fetches (jose also merges
 * concurrent fetches) while a rotated key is fetched once on first sight.
 */
export const JWKS_COOLDOWN_MS = 1_000;
/** Fireblocks serves the key set with Cache-Control max-age=3600. */
const JWKS_MAX_AGE_MS = 3_600_000;
/** Well inside a provider's delivery timeout. */
const JWKS_TIMEOUT_MS = 3_000;

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
const publicKeys = new Map<string, KeyObject>();

function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), {
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
    keySets.set(url, set);
  }
  return set;
}

function publicKey(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/** The key set could not be fetched: neither valid nor invalid, so the delivery is answered 5xx and retried. */
export class FireblocksKeysUnavailable extends UpstreamUnavailableError {
  name = "FireblocksKeysUnavailable";
}

export function legacySignatureIsValid(rawBody: Buffer, header: string, pem: string | undefined): boolean {
  const signature = header.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify(
      "RSA-SHA512",
      rawBody,
      publicKey(pem ?? FIREBLOCKS_PRODUCTION_WEBHOOK_PUBLIC_KEY),
      Buffer.from(signature, "base64"),
    );
  } catch {
    return false;
  }
}

const DETACHED_JWS = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]+)$/;

export async function jwsSignatureIsValid(rawBody: Buffer, header: string, jwksUrl: string): Promise<boolean> {
  const match = DETACHED_JWS.exec(header.trim());
  if (!match) return false;
  const [, protectedHeader, signature] = match;
  let unencoded = false;
  try {
    const decoded = JSON.parse(Buffer.from(protectedHeader, "base64url").toString("utf8")) as {
      b64?: unknown;
      crit?: unknown;
    };
    unencoded = decoded.b64 === false && Array.isArray(decoded.crit) && decoded.crit.includes("b64");
  } catch {
    return false;
  }
  try {
    await flattenedVerify(
      {
        protected: protectedHeader,
        signature,
        payload: unencoded ? new Uint8Array(rawBody) : rawBody.toString("base64url"),
      },
      keySet(jwksUrl),
      { algorithms: ["RS512"] },
    );
    return true;
  } catch (error) {
    if (
      error instanceof errors.JWKSTimeout ||
      (error instanceof errors.JOSEError && /JSON Web Key Set HTTP response/.test(error.message)) ||
      !(error instanceof errors.JOSEError)
    ) {
      throw new FireblocksKeysUnavailable(`could not fetch the Fireblocks key set: ${(error as Error).message}`);
    }
    return false; // bad signature, unknown kid after a refetch, wrong algorithm, malformed JWS
  }
}

/** Throws WebhookRejection(401) unless one of the two signatures is valid. */
export async function verifyFireblocksSignature(
  rawBody: Buffer,
  headers: Headers,
  config: { publicKeyPem?: string; jwksUrl: string },
): Promise<void> {
  const legacy = headers.get("fireblocks-signature");
  const jws = headers.get("fireblocks-webhook-signature");
  if (!legacy && !jws) throw new WebhookRejection(401, "missing Fireblocks signature");
  if (legacy && legacySignatureIsValid(rawBody, legacy, config.publicKeyPem)) return;
  if (jws && (await jwsSignatureIsValid(rawBody, jws, config.jwksUrl))) return;
  throw new WebhookRejection(401, "invalid signature");
}
