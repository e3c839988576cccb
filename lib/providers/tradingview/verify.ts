/**
 * TradingView has no signing: the alert body itself carries `secret`, checked
 * in constant time against TRADINGVIEW_WEBHOOK_SECRET. Bodies are JSON (when
 * the alert message is JSON) or plain text with `secret=…` / `secret: …` on a
 * line (or separated by `;` or `&`). The secret is removed before anything is
 * stored or logged.
 */
import { createHash } from "node:crypto";
import { WebhookRejection } from "@/lib/ingest/types";
import { safeEqual } from "@/lib/security/safe-equal";
import { parseJsonBody } from "@/lib/providers/parse";
import type { TradingViewPayload } from "./schema";

const PAIR = /^\s*([A-Za-z_][\w.-]{0,63})\s*[=:]\s*(.*?)\s*$/;

/** Sorted keys at every level, so the same alert always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function parseJson(text: string): { secret: unknown; alert: Record<string, unknown> } {
  const parsed = parseJsonBody(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new WebhookRejection(400, "the alert must be a JSON object or plain text");
  }
  const { secret, ...alert } = parsed as Record<string, unknown>;
  return { secret, alert };
}

function parseText(text: string): { secret: unknown; alert: Record<string, unknown>; text: string } {
  const alert: Record<string, unknown> = {};
  let secret: string | undefined;
  const kept: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const parts = line.split(/[;&]/);
    const keptParts: string[] = [];
    for (const part of parts) {
      const match = PAIR.exec(part);
      const key = match?.[1].toLowerCase();
      if (key === "secret") {
        secret = match![2];
        continue;
      }
      if (match && key && !(key in alert)) alert[key] = match[2];
      keptParts.push(part);
    }
    if (keptParts.some((p) => p.trim() !== "")) kept.push(keptParts.join(line.includes("&") ? "&" : ";"));
  }
  const stripped = kept.join("\n").trim();
  return { secret, alert, text: stripped };
}

/** Verifies the shared secret and returns what is stored: the alert without its secret, and its id. */
export function verifyTradingViewAlert(rawBody: Buffer, expected: string | undefined): TradingViewPayload {
  const text = rawBody.toString("utf8").trim();
  if (text === "") throw new WebhookRejection(400, "empty alert");
  const isJson = text.startsWith("{") || text.startsWith("[");
  const parsed = isJson ? { ...parseJson(text), text: undefined } : parseText(text);
  if (!expected) throw new WebhookRejection(401, "TradingView secret not configured");
  if (typeof parsed.secret !== "string" || parsed.secret === "") throw new WebhookRejection(401, "missing secret");
  if (!safeEqual(parsed.secret, expected)) throw new WebhookRejection(401, "invalid secret");

  // TradingView sends no event id: the id is a hash of the alert as stored (secret removed, so a
  // stored id can never be used to guess the secret). Identical alert bodies are one event.
  const content = isJson ? canonical(parsed.alert) : (parsed.text ?? "");
  const id = `tv_${createHash("sha256")
    .update(`${isJson ? "json" : "text"}\n${content}`)
    .digest("hex")}`;
  return isJson
    ? { id, format: "json", alert: parsed.alert }
    : { id, format: "text", alert: parsed.alert, text: parsed.text ?? "" };
}
