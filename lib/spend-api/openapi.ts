/** GET /api/v1/openapi.json: the OpenAPI 3.1 description of the spend and holds API. */
import { getEnv } from "@/lib/env";

const error = (code: string, extra: Record<string, object> = {}) => ({
  type: "object",
  required: ["error"],
  properties: { error: { type: "string", const: code }, message: { type: "string" }, ...extra },
});

const reply = (description: string, schema: object, headers?: object) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema } },
});

const retryAfter = {
  "Retry-After": { description: "Seconds to wait before the next request.", schema: { type: "integer" } },
};

const common = {
  "401": reply(
    "No usable API key. `reason` says why: none was sent (`missing_key`), it is not one of ours (`unknown_key`), or it was revoked (`key_revoked`, with `revoked_reason`). A key is revoked by its owner, and also, with every other key and session of the account, when the account's password changes, when the owner signs out everywhere, or when an admin disables the account.",
    error("unauthorized", {
      reason: { type: "string", enum: ["missing_key", "unknown_key", "key_revoked"] },
      revoked_reason: {
        type: "string",
        enum: ["revoked_by_owner", "password_changed", "signed_out_everywhere", "account_disabled"],
        description: "Present when `reason` is `key_revoked`.",
      },
    }),
  ),
  "429": reply(
    "The key went past its rate limit (API_RATE_LIMIT_PER_MINUTE requests per minute).",
    error("rate_limited", { retry_after_seconds: { type: "integer" } }),
    retryAfter,
  ),
  "503": reply("The database is unreachable; nothing was written. Retry later.", error("unavailable"), retryAfter),
};

const idempotencyHeader = (what: string) => ({
  name: "Idempotency-Key",
  in: "header",
  required: true,
  description: `Your unique id for this ${what} (1 to 255 characters), scoped to the key's account.`,
  schema: { type: "string", minLength: 1, maxLength: 255 },
});

const holdIdParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The hold's id (as POST /api/v1/holds answered it).",
  schema: { type: "string", format: "uuid" },
};

const hold = {
  type: "object",
  required: ["id", "amount", "status", "reason", "expires_at", "created_at"],
  properties: {
    id: { type: "string", format: "uuid" },
    amount: { type: "integer", description: "Credits reserved." },
    status: {
      type: "string",
      enum: ["active", "captured", "released", "expired"],
      description: "An active hold past `expires_at` is `expired` at once: its credits are available again.",
    },
    reason: { type: ["string", "null"] },
    expires_at: { type: "string", format: "date-time" },
    created_at: { type: "string", format: "date-time" },
    captured: { type: "integer", description: "Credits spent by the capture (present once captured)." },
    settled_at: {
      type: ["string", "null"],
      format: "date-time",
      description: "When it was captured, released or expired.",
    },
  },
};

const holdWrite = (outcomes: string[]) => ({
  type: "object",
  required: ["outcome", "hold"],
  properties: {
    outcome: { type: "string", enum: outcomes },
    hold,
    balance: { type: "integer", description: "Unexpired credits owned after this request." },
    available: { type: "integer", description: "balance less the active holds." },
  },
});

const holdNotActive = (description: string) => reply(description, error("hold_not_active", { hold }));

const holdNotFound = reply(
  "No such hold for this key's account (unknown id, or another account's hold).",
  error("not_found"),
);

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Credits API",
      version: "1.0.0",
      description:
        "Spend, or hold then capture, the credits of the account that owns the API key. Create keys at /settings/api-keys. Every answer is short JSON; errors carry a stable `error` code. A method a path does not list answers 405 `method_not_allowed` with an `Allow` header.",
    },
    servers: [{ url: getEnv().APP_URL }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "Authorization: Bearer ck_… (an API key; only its SHA-256 is stored).",
        },
      },
    },
    paths: {
      "/api/v1/balance": {
        get: {
          operationId: "getBalance",
          summary: "The key owner's balance",
          responses: {
            "200": reply("The balance as of now: expired credits and expired holds are already left out.", {
              type: "object",
              required: ["balance", "available", "held"],
              properties: {
                balance: { type: "integer", description: "Unexpired credits owned (negative: owed after a refund)." },
                available: { type: "integer", description: "balance − held: what spends and new holds may use." },
                held: { type: "integer", description: "Sum of the active holds." },
              },
            }),
            ...common,
          },
        },
      },
      "/api/v1/spend": {
        post: {
          operationId: "spend",
          summary: "Spend credits once per Idempotency-Key",
          description:
            "Spends `amount` of the key owner's available credits (balance less active holds), soonest-expiring credits first. Retrying with the same Idempotency-Key and amount answers `duplicate` and spends nothing more; the same key with another amount is 409. Too few available credits answer 402 and write nothing.",
          parameters: [idempotencyHeader("spend")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  additionalProperties: false,
                  required: ["amount"],
                  properties: {
                    amount: { type: "integer", minimum: 1, description: "Credits to spend." },
                    reason: { type: "string", maxLength: 200, description: "Shown in the account's ledger." },
                  },
                },
              },
            },
          },
          responses: {
            "200": reply("Spent now, or spent before with this Idempotency-Key (duplicate).", {
              type: "object",
              required: ["outcome", "balance", "spent"],
              properties: {
                outcome: { type: "string", enum: ["spent", "duplicate"] },
                balance: { type: "integer", description: "The balance after the spend." },
                spent: { type: "integer", description: "Credits this Idempotency-Key spent." },
              },
            }),
            "400": reply("Malformed body or a missing Idempotency-Key.", error("invalid_request")),
            "402": reply(
              "Not enough available credits; nothing was written.",
              error("insufficient_credits", { balance: { type: "integer" } }),
            ),
            "409": reply(
              "This Idempotency-Key was already used with a different amount.",
              error("idempotency_conflict"),
            ),
            "413": reply("Body larger than 16 KiB.", error("payload_too_large")),
            ...common,
          },
        },
      },
      "/api/v1/holds": {
        post: {
          operationId: "createHold",
          summary: "Reserve credits for work whose cost is known only at the end",
          description:
            "Reserves `amount` of the available credits until `expires_in_seconds` have passed (default 900). Capture what the work cost, or release it; an uncaptured hold expires by itself and its credits are available again at once. Retrying with the same Idempotency-Key and amount answers 200 `duplicate` with the first hold; another amount is 409.",
          parameters: [idempotencyHeader("hold")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  additionalProperties: false,
                  required: ["amount"],
                  properties: {
                    amount: { type: "integer", minimum: 1, description: "Credits to reserve." },
                    reason: { type: "string", maxLength: 200, description: "Kept on the capture's ledger row." },
                    expires_in_seconds: { type: "integer", minimum: 1, maximum: 86400, default: 900 },
                  },
                },
              },
            },
          },
          responses: {
            "201": reply("Held.", holdWrite(["held"])),
            "200": reply("Held before with this Idempotency-Key and amount: the same hold.", holdWrite(["duplicate"])),
            "400": reply("Malformed body or a missing Idempotency-Key.", error("invalid_request")),
            "402": reply(
              "Not enough available credits; nothing was written.",
              error("insufficient_credits", { balance: { type: "integer" }, available: { type: "integer" } }),
            ),
            "409": reply(
              "This Idempotency-Key was already used with a different amount.",
              error("idempotency_conflict"),
            ),
            "413": reply("Body larger than 16 KiB.", error("payload_too_large")),
            ...common,
          },
        },
        get: {
          operationId: "listHolds",
          summary: "The key owner's holds, newest first (at most 100)",
          parameters: [
            {
              name: "status",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["active", "captured", "released", "expired"] },
            },
          ],
          responses: {
            "200": reply("The holds.", {
              type: "object",
              required: ["holds"],
              properties: { holds: { type: "array", items: hold } },
            }),
            "400": reply("An unknown status.", error("invalid_request")),
            ...common,
          },
        },
      },
      "/api/v1/holds/{id}": {
        get: {
          operationId: "getHold",
          summary: "One hold",
          parameters: [holdIdParameter],
          responses: {
            "200": reply("The hold.", { type: "object", required: ["hold"], properties: { hold } }),
            "404": holdNotFound,
            ...common,
          },
        },
      },
      "/api/v1/holds/{id}/capture": {
        post: {
          operationId: "captureHold",
          summary: "Spend what the work cost; free the rest",
          description:
            "Spends `amount` (default: the whole hold) from the hold, once: a ledger row of kind `capture` with the hold's reason; the rest of the hold is available again. Repeating it answers `duplicate` and spends nothing more.",
          parameters: [holdIdParameter],
          requestBody: {
            required: false,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  additionalProperties: false,
                  properties: { amount: { type: "integer", minimum: 0, description: "At most the hold's amount." } },
                },
              },
            },
          },
          responses: {
            "200": reply("Captured now, or before (duplicate).", holdWrite(["captured", "duplicate"])),
            "400": reply("Malformed body, or more than the hold's amount.", error("invalid_request")),
            "404": holdNotFound,
            "409": holdNotActive("The hold was released or has expired."),
            "413": reply("Body larger than 16 KiB.", error("payload_too_large")),
            ...common,
          },
        },
      },
      "/api/v1/holds/{id}/release": {
        post: {
          operationId: "releaseHold",
          summary: "Free a hold without spending",
          parameters: [holdIdParameter],
          responses: {
            "200": reply("Released now, or before (duplicate).", holdWrite(["released", "duplicate"])),
            "400": reply("A body other than nothing or {}.", error("invalid_request")),
            "404": holdNotFound,
            "409": holdNotActive("The hold was captured or has expired."),
            ...common,
          },
        },
      },
    },
  };
}
