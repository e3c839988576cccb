/**
 * Every environment variable, parsed once with zod. Nothing else reads process.env.
 * The mode (embedded / postgres / supabase) is chosen here, never by code edits.
 * A bad value throws a ConfigError naming the variable; instrumentation.ts calls
 * getEnv() at start-up so a misconfigured server refuses to start.
 */
import { createPublicKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

export type Mode = "embedded" | "postgres" | "supabase";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`Invalid environment variable ${variable}: ${detail}`);
    this.name = "ConfigError";
  }
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const httpUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
  .pipe(z.url({ protocol: /^https?$/ }).optional());

function optionalInt(min: number, max: number) {
  return optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  );
}

const pem = optionalText.refine(
  (v) => {
    if (v === undefined) return true;
    try {
      createPublicKey(v.replace(/\\n/g, "\n"));
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid PEM public key" },
);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .optional(),
  ),
  /** Where generated local secrets and the embedded database live (default `.data`). */
  APP_DATA_DIR: optionalText,
  PGLITE_DIR: optionalText,
  NEXT_PUBLIC_SUPABASE_URL: httpUrl,
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optionalText,
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  AUTH_SECRET: optionalText.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  ADMIN_EMAILS: commaList.transform((list) => list.map((e) => e.toLowerCase())),
  APP_URL: httpUrl,
  STRIPE_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, "must be a Stripe secret key (sk_… or rk_…)")
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: commaList,
  /** Tests only: a local fake of the Stripe API. Refused in production, where it would receive the secret key. */
  STRIPE_API_BASE: httpUrl,
  FIREBLOCKS_WEBHOOK_PUBLIC_KEY: pem,
  FIREBLOCKS_JWKS_URL: httpUrl,
  INVOICE_WEBHOOK_SECRET: optionalText,
  INVOICE_GATEWAY_URL: httpUrl,
  PAYSTACK_SECRET_KEY: optionalText,
  PAYSTACK_API_BASE: httpUrl,
  TRADINGVIEW_WEBHOOK_SECRET: optionalText,
  CRON_SECRET: optionalText,
  METRICS_TOKEN: optionalText,
  WEBHOOK_RETRY_INTERVAL_MS: optionalInt(0, 86_400_000),
  SMTP_URL: optionalText.pipe(
    z
      .url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL (e.g. smtp://user:pass@host:587)" })
      .optional(),
  ),
  MAIL_FROM: optionalText.pipe(
    z
      .string()
      .max(254)
      .regex(/^(?:[^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/, "must be an address or Name <address>")
      .optional(),
  ),
  TRUST_PROXY: optionalInt(0, 10),
  WEBHOOK_PAYLOAD_RETENTION_DAYS: optionalInt(1, 36_500),
  ALERT_WEBHOOK_URL: httpUrl,
  ALERT_EMAILS: commaList.transform((list) => list.map((e) => e.toLowerCase())),
  LOG_LEVEL: optionalText.pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional()),
  LOG_FORMAT: optionalText.pipe(z.enum(["json", "pretty"]).optional()),
  PG_POOL_MAX: optionalInt(1, 200),
  LOCAL_TEST_CHECKOUT: optionalText.pipe(z.enum(["0", "1"], { message: "must be 1 (on) or 0 (off)" }).optional()),
  API_RATE_LIMIT_PER_MINUTE: optionalInt(1, 1_000_000),
});

type Raw = z.infer<typeof schema>;

/** What every mode has; `Env` adds what its mode needs. */
interface EnvCommon extends Omit<
  Raw,
  | "AUTH_SECRET"
  | "STRIPE_WEBHOOK_SECRET"
  | "APP_URL"
  | "MAIL_FROM"
  | "TRUST_PROXY"
  | "API_RATE_LIMIT_PER_MINUTE"
  | "WEBHOOK_PAYLOAD_RETENTION_DAYS"
  | "LOG_LEVEL"
  | "LOG_FORMAT"
> {
  isProduction: boolean;
  dataDir: string;
  pgliteDir: string;
  AUTH_SECRET: string;
  APP_URL: string;
  /** Secrets any of which may sign a Stripe event (rotation). */
  STRIPE_WEBHOOK_SECRET: string[];
  /**
   * True when the local test checkout is offered: never with STRIPE_SECRET_KEY;
   * outside production whenever no Stripe key is set; in production only with
   * LOCAL_TEST_CHECKOUT=1 (a demo). Neither this nor a Stripe key: card
   * payments are not configured.
   */
  localCheckout: boolean;
  FIREBLOCKS_JWKS_URL: string;
  PAYSTACK_API_BASE: string;
  /**
   * True when no crypto invoice gateway is configured (no INVOICE_WEBHOOK_SECRET,
   * hence no INVOICE_GATEWAY_URL, the gateway's payment page for an invoice):
   * "Pay with crypto" opens the local test gateway, which signs its events with a
   * generated secret. Never true when a real gateway secret is set, nor in
   * production without LOCAL_TEST_CHECKOUT=1.
   */
  localInvoiceGateway: boolean;
  /** The From of every mail (MAIL_FROM; default "Credits <no-reply@APP_URL's host>"). */
  MAIL_FROM: string;
  /** How many reverse proxies in front of the app append to X-Forwarded-For (0: ignore the header). */
  TRUST_PROXY: number;
  /** Without SMTP_URL outside production: mails stay in the outbox, shown at /dev/mailbox, links logged. */
  devMailbox: boolean;
  /** Requests per minute each API key may make to /api/v1 (counted in the database, across instances). */
  API_RATE_LIMIT_PER_MINUTE: number;
  /** Payloads of events older than this are set to null by the sweep (default 90). */
  WEBHOOK_PAYLOAD_RETENTION_DAYS: number;
  LOG_LEVEL: NonNullable<Raw["LOG_LEVEL"]>;
  /** JSON lines in production and tests; one readable line per entry under `next dev`. */
  LOG_FORMAT: NonNullable<Raw["LOG_FORMAT"]>;
}

/** The configuration by mode: the variables a mode runs on are present (strings) in that mode. */
export type Env =
  | (EnvCommon & { mode: "embedded" })
  | (EnvCommon & { mode: "postgres"; DATABASE_URL: string })
  | (EnvCommon & {
      mode: "supabase";
      NEXT_PUBLIC_SUPABASE_URL: string;
      NEXT_PUBLIC_SUPABASE_ANON_KEY: string;
      SUPABASE_SERVICE_ROLE_KEY: string;
    });
export type SupabaseEnv = Extract<Env, { mode: "supabase" }>;

const SUPABASE_VARS = [
  "NEXT_PUBLIC_SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
] as const;

/** A secret kept under .data/ so local runs work with no configuration and survive restarts. */
function localSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, "secrets", name);
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing) return existing;
  } catch {
    // not created yet
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  try {
    fs.writeFileSync(file, value, { flag: "wx", mode: 0o600 });
    return value;
  } catch {
    return fs.readFileSync(file, "utf8").trim(); // another process won the race
  }
}

/**
 * The secrets. In production one that is set but empty (a template copied
 * without its value, a CI variable that did not resolve) is a mistake, not
 * "off": start-up stops and names it. Unset stays unset (the feature is off).
 */
const SECRET_VARS = [
  "AUTH_SECRET",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "INVOICE_WEBHOOK_SECRET",
  "PAYSTACK_SECRET_KEY",
  "TRADINGVIEW_WEBHOOK_SECRET",
  "CRON_SECRET",
  "METRICS_TOKEN",
  "SUPABASE_SERVICE_ROLE_KEY",
] as const;

/** Empty or only blanks (and commas: STRIPE_WEBHOOK_SECRET is a list). */
const isBlank = (value: string) => value.split(",").every((part) => part.trim() === "");

export function parseEnv(source: Record<string, string | undefined>): Env {
  if (source.NODE_ENV === "production") {
    const empty = SECRET_VARS.find((name) => source[name] !== undefined && isBlank(source[name]));
    if (empty) {
      throw new ConfigError(empty, "is set but empty; give it its value or remove it (no empty secrets in production)");
    }
  }
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? "environment"), issue.message);
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === "production";

  const supabaseSet = SUPABASE_VARS.filter((name) => raw[name] !== undefined);
  if (supabaseSet.length > 0 && supabaseSet.length < SUPABASE_VARS.length) {
    const missing = SUPABASE_VARS.find((name) => raw[name] === undefined)!;
    throw new ConfigError(
      missing,
      `required when ${supabaseSet.join(", ")} ${supabaseSet.length > 1 ? "are" : "is"} set`,
    );
  }
  const mode: Mode =
    supabaseSet.length === SUPABASE_VARS.length ? "supabase" : raw.DATABASE_URL ? "postgres" : "embedded";

  const dataDir = path.resolve(raw.APP_DATA_DIR ?? ".data");
  const pgliteDir = path.resolve(raw.PGLITE_DIR ?? path.join(dataDir, "pglite"));
  const generatedAllowed = mode === "embedded" || !isProduction;

  let authSecret = raw.AUTH_SECRET;
  if (!authSecret && mode !== "supabase") {
    if (!generatedAllowed) throw new ConfigError("AUTH_SECRET", "required in production (at least 32 characters)");
    authSecret = localSecret(dataDir, "auth-secret", () => randomBytes(32).toString("base64url"));
  }

  if (isProduction && raw.STRIPE_API_BASE !== undefined) {
    throw new ConfigError(
      "STRIPE_API_BASE",
      "tests only; not allowed in production (Stripe calls carry the secret key)",
    );
  }

  // In production a signed-in user must not mint credits unless the owner asked for a demo.
  const localCheckout = raw.STRIPE_SECRET_KEY === undefined && (!isProduction || raw.LOCAL_TEST_CHECKOUT === "1");
  let stripeSecrets = raw.STRIPE_WEBHOOK_SECRET;
  if (stripeSecrets.length === 0) {
    if (localCheckout && generatedAllowed) {
      // The local test checkout signs its events with this, exactly as Stripe would.
      stripeSecrets = [
        localSecret(dataDir, "stripe-webhook-secret", () => `whsec_local_${randomBytes(24).toString("base64url")}`),
      ];
    } else if (isProduction && raw.STRIPE_SECRET_KEY) {
      throw new ConfigError("STRIPE_WEBHOOK_SECRET", "required in production when STRIPE_SECRET_KEY is set");
    } else if (isProduction && localCheckout) {
      throw new ConfigError(
        "STRIPE_WEBHOOK_SECRET",
        "required in production when LOCAL_TEST_CHECKOUT=1 (the test checkout signs with it)",
      );
    }
  }
  if (isProduction) {
    // Calls that carry our secret key or decide which signatures we trust go over TLS only.
    for (const name of ["PAYSTACK_API_BASE", "FIREBLOCKS_JWKS_URL"] as const) {
      const value = raw[name];
      if (value !== undefined && !value.startsWith("https://"))
        throw new ConfigError(name, "must be an https:// URL in production");
    }
  }
  if (raw.INVOICE_GATEWAY_URL && !raw.INVOICE_WEBHOOK_SECRET) {
    throw new ConfigError("INVOICE_WEBHOOK_SECRET", "required when INVOICE_GATEWAY_URL is set");
  }
  // Like the test checkout, the test gateway mints credits: in production only as an opted-in demo.
  const localInvoiceGateway =
    raw.INVOICE_WEBHOOK_SECRET === undefined && generatedAllowed && (!isProduction || raw.LOCAL_TEST_CHECKOUT === "1");
  const invoiceSecret = localInvoiceGateway
    ? localSecret(dataDir, "invoice-webhook-secret", () => `inv_local_${randomBytes(24).toString("base64url")}`)
    : raw.INVOICE_WEBHOOK_SECRET;
  if (mode === "supabase" && isProduction && !raw.STRIPE_SECRET_KEY) {
    throw new ConfigError(
      "STRIPE_SECRET_KEY",
      "required in supabase mode in production (no local test checkout there)",
    );
  }

  const appUrl = (raw.APP_URL ?? `http://localhost:${/^\d+$/.test(source.PORT ?? "") ? source.PORT : "3000"}`).replace(
    /\/$/,
    "",
  );

  const common: EnvCommon = {
    ...raw,
    isProduction,
    dataDir,
    pgliteDir,
    AUTH_SECRET: authSecret ?? "",
    APP_URL: appUrl,
    MAIL_FROM: raw.MAIL_FROM ?? `Credits <no-reply@${new URL(appUrl).hostname}>`,
    TRUST_PROXY: raw.TRUST_PROXY ?? 0,
    devMailbox: !raw.SMTP_URL && !isProduction && mode !== "supabase",
    STRIPE_WEBHOOK_SECRET: stripeSecrets,
    localCheckout,
    FIREBLOCKS_WEBHOOK_PUBLIC_KEY: raw.FIREBLOCKS_WEBHOOK_PUBLIC_KEY?.replace(/\\n/g, "\n"),
    FIREBLOCKS_JWKS_URL: raw.FIREBLOCKS_JWKS_URL ?? "https://keys.fireblocks.io/.well-known/jwks.json",
    PAYSTACK_API_BASE: (raw.PAYSTACK_API_BASE ?? "https://api.paystack.co").replace(/\/$/, ""),
    INVOICE_WEBHOOK_SECRET: invoiceSecret,
    localInvoiceGateway,
    API_RATE_LIMIT_PER_MINUTE: raw.API_RATE_LIMIT_PER_MINUTE ?? 600,
    WEBHOOK_PAYLOAD_RETENTION_DAYS: raw.WEBHOOK_PAYLOAD_RETENTION_DAYS ?? 90,
    // vitest sets NODE_ENV=test: quiet unless a suite asks (tests/integration/structured-logs.test.ts)
    LOG_LEVEL: raw.LOG_LEVEL ?? (raw.NODE_ENV === "test" ? "silent" : "info"),
    LOG_FORMAT: raw.LOG_FORMAT ?? (raw.NODE_ENV === "development" ? "pretty" : "json"),
  };
  // the same decisions as `mode` above, written so that the type knows what each mode has
  const { NEXT_PUBLIC_SUPABASE_URL: supabaseUrl, NEXT_PUBLIC_SUPABASE_ANON_KEY: anonKey } = raw;
  const serviceRoleKey = raw.SUPABASE_SERVICE_ROLE_KEY;
  if (supabaseUrl && anonKey && serviceRoleKey) {
    return {
      ...common,
      mode: "supabase",
      NEXT_PUBLIC_SUPABASE_URL: supabaseUrl,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: anonKey,
      SUPABASE_SERVICE_ROLE_KEY: serviceRoleKey,
    };
  }
  if (raw.DATABASE_URL) return { ...common, mode: "postgres", DATABASE_URL: raw.DATABASE_URL };
  return { ...common, mode: "embedded" };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The configuration of supabase mode, for code that runs only there (Supabase Auth). */
export function getSupabaseEnv(): SupabaseEnv {
  const env = getEnv();
  if (env.mode !== "supabase")
    throw new Error(`Supabase Auth is used only in supabase mode (this is ${env.mode} mode)`);
  return env;
}

/** Tests change process.env between cases; this makes the next getEnv() read it again. */
export function resetEnvCache(): void {
  cached = undefined;
}
