import { WebhookRejection } from "./types";

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * The raw bytes exactly as received (signatures are over these), refusing more
 * than `limit` bytes without reading them all: a declared Content-Length over
 * the cap is refused at once, a chunked body is cut off as soon as it passes it.
 */
export async function readRawBody(request: Request, limit = MAX_WEBHOOK_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > limit) throw new WebhookRejection(413, "payload too large");
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new WebhookRejection(413, "payload too large");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
