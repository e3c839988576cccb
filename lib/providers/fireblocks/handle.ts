/**
 * What a Fireblocks notification means for credits. Pure: the stored body in,
 * one planned action out. A COMPLETED transfer from outside becomes a deposit
 * to check against our addresses and their assets (in SQL:
 * webhook_action_fireblocks_transfer); a transfer from one of our own accounts
 * (vault, gas station, internal wallet, exchange, …) is ignored with the
 * reason: moving our own funds to a user's address is not a payment. Final
 * failures and intermediate statuses are recorded without credit.
 */
import { fireblocksTransferAction } from "@/lib/db/actions";
import { fail, ignore, record, type Plan } from "@/lib/ingest/types";
import { parsePart } from "@/lib/providers/parse";
import { fireblocksEventId, readEnvelope, transactionSchema, type FireblocksTransaction } from "./schema";

const STATUS_UPDATED = new Set(["TRANSACTION_STATUS_UPDATED", "transaction.status.updated"]);
const CREATED = new Set(["TRANSACTION_CREATED", "transaction.created"]);
const FINAL_WITHOUT_CREDIT = new Set(["FAILED", "CANCELLED", "REJECTED", "BLOCKED", "TIMEOUT"]);
/** Sources outside our workspace: only these are deposits a customer made (SPEC §5). */
const OUTSIDE_SOURCES = new Set(["UNKNOWN", "EXTERNAL_WALLET", "ONE_TIME_ADDRESS"]);

function destinationAddress(tx: FireblocksTransaction): string | null {
  return (
    tx.destinationAddress || tx.destination?.oneTimeAddress?.address || tx.destinations?.[0]?.destinationAddress || null
  );
}

function completed(tx: FireblocksTransaction, eventId: string): Plan {
  const source = tx.source?.type?.trim().toUpperCase() || null;
  if (!source || !OUTSIDE_SOURCES.has(source)) {
    return {
      ...ignore(
        `transaction ${tx.id} comes from ${source ?? "an unnamed source"}, not from outside: not a customer deposit`,
      ),
      externalId: tx.id,
    };
  }
  const amount = tx.amountInfo?.amount ?? tx.amount ?? null;
  if (amount === null) return { ...fail(`transaction ${tx.id} COMPLETED without an amount`), externalId: tx.id };
  return {
    ...fireblocksTransferAction({
      txId: tx.id,
      address: destinationAddress(tx),
      assetId: tx.assetId ?? null,
      sourceType: source,
      amount,
      amountUsd: tx.amountInfo?.amountUSD ?? (tx.amountUSD != null ? String(tx.amountUSD) : null),
      eventId,
    }),
    externalId: tx.id,
  };
}

export function planFireblocksEvent(payload: unknown): Plan {
  const envelope = readEnvelope(payload);
  if (!envelope) return fail("stored payload is not a Fireblocks notification");
  const isStatusUpdate = STATUS_UPDATED.has(envelope.type);
  if (!isStatusUpdate && !CREATED.has(envelope.type)) return ignore(`unhandled event type ${envelope.type}`);
  const parsed = parsePart(transactionSchema, envelope.data, envelope.type, "data");
  if (!parsed.ok) return parsed.plan;
  const tx = parsed.value;
  const located = { externalId: tx.id };
  if (isStatusUpdate && tx.status === "COMPLETED") return completed(tx, fireblocksEventId(envelope));
  if (FINAL_WITHOUT_CREDIT.has(tx.status))
    return { ...record(`transaction ${tx.id} ${tx.status}: no credits`), ...located };
  return { ...record(`transaction ${tx.id} is ${tx.status}`), ...located };
}
