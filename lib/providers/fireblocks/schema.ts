/**
 * Fireblocks webhook bodies, v1 `{type, tenantId, timestamp, data}` and v2
 * `{id, eventType, createdAt, data}`, read into one shape. Only the transaction
 * fields we act on are named; everything else passes through.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

const text = z.string().min(1).max(255);
const decimalText = z
  .union([
    z.number().nonnegative(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?(e[-+]?\d+)?$/i),
  ])
  .transform(String);

const v1Schema = z.object({ type: text, data: z.record(z.string(), z.unknown()) }).loose();
const v2Schema = z.object({ id: text, eventType: text, data: z.record(z.string(), z.unknown()) }).loose();

export const transactionSchema = z
  .object({
    id: text,
    status: text,
    assetId: z.string().nullish(),
    amount: decimalText.nullish(),
    amountUSD: z.number().nullish(),
    amountInfo: z.object({ amount: decimalText.nullish(), amountUSD: decimalText.nullish() }).loose().nullish(),
    destinationAddress: z.string().nullish(),
    destinations: z.array(z.object({ destinationAddress: z.string().nullish() }).loose()).nullish(),
    destination: z
      .object({
        type: z.string().nullish(),
        oneTimeAddress: z.object({ address: z.string().nullish() }).loose().nullish(),
      })
      .loose()
      .nullish(),
    /** Where the funds came from: UNKNOWN / EXTERNAL_WALLET / ONE_TIME_ADDRESS are outside; VAULT_ACCOUNT, GAS_STATION, … are ours. */
    source: z.object({ type: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type FireblocksTransaction = z.infer<typeof transactionSchema>;

export interface FireblocksEnvelope {
  version: 1 | 2;
  /** v2 notification id; null for v1. */
  notificationId: string | null;
  type: string;
  data: Record<string, unknown>;
}

/** The envelope of a body, or null when it is neither version. */
export function readEnvelope(body: unknown): FireblocksEnvelope | null {
  const v2 = v2Schema.safeParse(body);
  if (v2.success) return { version: 2, notificationId: v2.data.id, type: v2.data.eventType, data: v2.data.data };
  const v1 = v1Schema.safeParse(body);
  if (v1.success) return { version: 1, notificationId: null, type: v1.data.type, data: v1.data.data };
  return null;
}

/**
 * Dedupe key: a transaction's id + status (each status is its own event),
 * plus the v2 notification id; other events: the v2 id, or a hash of the v1 body.
 */
export function fireblocksEventId(envelope: FireblocksEnvelope, rawBody?: Buffer | string): string {
  const { id, status } = envelope.data as { id?: unknown; status?: unknown };
  if (typeof id === "string" && typeof status === "string") {
    return [id, status, envelope.notificationId].filter(Boolean).join(":").slice(0, 255);
  }
  if (envelope.notificationId) return envelope.notificationId;
  const digest = createHash("sha256")
    .update(rawBody ?? JSON.stringify(envelope.data))
    .digest("hex");
  return `${envelope.type}:${digest}`.slice(0, 255);
}
