/** GET /api/v1/openapi.json: the OpenAPI 3.1 description of the spend API. */
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

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Credits API",
      version: "1.0.0",
      description:
        "Spend the credits of the account that owns the API key. Create keys at /settings/api-keys. Every answer is short JSON; errors carry a stable `error` code. A method a path does not list answers 405 `method_not_allowed` with an `Allow` header.",
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
            "200": reply("The balance.", {
              type: "object",
              required: ["balance"],
              properties: { balance: { type: "integer" } },
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
            "Spends `amount` credits of the key owner. Retrying with the same Idempotency-Key and amount answers `duplicate` and spends nothing more; the same key with another amount is 409. A balance that is too small answers 402 and writes nothing.",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: true,
              description: "Your unique id for this spend (1 to 255 characters), scoped to the key's account.",
              schema: { type: "string", minLength: 1, maxLength: 255 },
            },
          ],
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
              "Not enough credits; nothing was written.",
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
    },
  };
}
