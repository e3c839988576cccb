/**
 * Every environment variable, parsed once with zod. Nothing else reads process.env.
 * The mode (embedded / postgres / supabase) is chosen here, never by code edits.
 * A bad configuration throws one ConfigError listing every problem, each naming its
 * variable and what to do; lib/config-check.ts decides what start-up does with it
 * (`next start` and scripts exit, `next dev` shows it on every page).
 */
import { createPublicKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

export type Mode = "embedded" | "postgres" | "supabase";

/** One thing wrong with the environment: the variable, then what is wrong and what to do about it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  /** The first problem's variable. */
  readonly variable: string;

  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
    this.variable = problems[0].variable;
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

const httpUrl = (example: string) =>
  optionalText.pipe(
    z.url({ protocol: /^https?$/, error: `must be an http:// or https:// URL, e.g. ${example}` }).optional(),
  );

function optionalInt(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max.toLocaleString("en").replace(/,/g, "")}`;
  return optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, error)
      .transform(Number)
      .pipe(z.number().int().min(min, error).max(max, error))
      .optional(),
  );
}

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  optionalText.pipe(z.enum(values, { error: `must be one of ${values.join(", ")}` }).optional());

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
  {
    message:
      "is not a valid PEM public key; paste Fireblocks' key (-----BEGIN PUBLIC KEY-----…, line breaks written as \\n on one line), or unset it to use Fireblocks' production key",
  },
);

const schema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], {
      error: "must be development, production or test; next sets it (leave it unset)",
    })
    .default("development"),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\//,
        "must be a postgres:// or postgresql:// URL, e.g. postgres://user:password@host:5432/credits",
      )
      .optional(),
  ),
  /** Where generated local secrets and the embedded database live (default `.data`). */
  APP_DATA_DIR: optionalText,
  PGLITE_DIR: optionalText,
  NEXT_PUBLIC_SUPABASE_URL: httpUrl("https://<project>.supabase.co"),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optionalText,
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  AUTH_SECRET: optionalText.pipe(
    z.string().min(32, "must be at least 32 characters; make one with: openssl rand -base64 32").optional(),
  ),
  ADMIN_EMAILS: commaList.transform((list) => list.map((e) => e.toLowerCase())),
  APP_URL: httpUrl("https://credits.example.com"),
  STRIPE_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .regex(
        /^(sk|rk)_(test|live)_/,
        "must be a Stripe secret key (sk_live_…, sk_test_… or a restricted rk_…) from Stripe → Developers → API keys",
      )
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: commaList,
  /** Tests only: a local fake of the Stripe API. Refused in production, where it would receive the secret key. */
  STRIPE_API_BASE: httpUrl("http://127.0.0.1:12111"),
  FIREBLOCKS_WEBHOOK_PUBLIC_KEY: pem,
  FIREBLOCKS_JWKS_URL: httpUrl("https://keys.fireblocks.io/.well-known/jwks.json"),
  INVOICE_WEBHOOK_SECRET: optionalText,
  INVOICE_GATEWAY_URL: httpUrl("https://gateway.example.com/pay/{invoiceId}"),
  PAYSTACK_SECRET_KEY: optionalText,
  PAYSTACK_API_BASE: httpUrl("https://api.paystack.co"),
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
      .max(254, "must be at most 254 characters")
      .regex(
        /^(?:[^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/,
        "must be an address or Name <address>, e.g. Credits <no-reply@credits.example.com>",
      )
      .optional(),
  ),
  TRUST_PROXY: optionalInt(0, 10),
  WEBHOOK_PAYLOAD_RETENTION_DAYS: optionalInt(1, 36_500),
  ALERT_WEBHOOK_URL: httpUrl("https://hooks.slack.com/services/…"),
  ALERT_EMAILS: commaList.transform((list) => list.map((e) => e.toLowerCase())),
  LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  LOG_FORMAT: oneOf(["json", "pretty"]),
  PG_POOL_MAX: optionalInt(1, 200),
  LOCAL_TEST_CHECKOUT: optionalText.pipe(z.enum(["0", "1"], { error: "must be 1 (on) or 0 (off)" }).optional()),
  API_RATE_LIMIT_PER_MINUTE: optionalInt(1, 1_000_000),
  /** Days a bought pack's credits last once they reach the wallet; unset: they never expire. */
  CREDIT_PACK_EXPIRY_DAYS: optionalInt(1, 36_500),
  /** The low-balance threshold of users who set none (unset = off); written to SQL at start-up. */
  LOW_BALANCE_THRESHOLD: optionalInt(1, 1_000_000_000_000),
  OUTGOING_WEBHOOKS_ALLOW_PRIVATE: optionalText.pipe(
    z.enum(["0", "1"], { error: "must be 1 (allow http:// and private addresses) or 0 (off)" }).optional(),
  ),
});

/**
 * Every variable this file reads: the schema's, and PORT (the port `next start` listens on, which
 * APP_URL's default uses). The README's table lists each (tests/unit/env-docs.test.ts).
 */
export const ENV_VARIABLES: readonly string[] = [...Object.keys(schema.shape), "PORT"];

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
  /**
   * OUTGOING_WEBHOOKS_ALLOW_PRIVATE=1: outgoing webhooks may go to http:// URLs and to loopback,
   * private and link-local addresses (receivers inside the owner's network). Otherwise production
   * sends only to https:// URLs resolving to public addresses.
   */
  outgoingWebhooksAllowPrivate: boolean;
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
function localSecret(dataDir: string, variable: string, make: () => string): string {
  const file = path.join(dataDir, "secrets", variable.toLowerCase().replace(/_/g, "-"));
  try {
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
  } catch (error) {
    throw new ConfigError([
      {
        variable: "APP_DATA_DIR",
        message: `cannot keep the generated ${variable} in ${path.dirname(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): make that folder writable, point APP_DATA_DIR at one that is, or set ${variable} yourself`,
      },
    ]);
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

/** Each variable parsed on its own, so that every bad value is reported, not only the first. */
function parseFields(source: Record<string, string | undefined>, report: (problem: ConfigProblem) => void): Raw {
  const raw: Record<string, unknown> = {};
  for (const [variable, field] of Object.entries(schema.shape)) {
    const parsed = (field as z.ZodType).safeParse(source[variable]);
    if (parsed.success) raw[variable] = parsed.data;
    else report({ variable, message: parsed.error.issues[0].message });
  }
  return raw as Raw;
}

/**
 * The rules beyond each value's own shape: what a mode needs, what production refuses. The mode here
 * is the one the operator asked for (a variable set, even to a bad value), so that fixing one problem
 * never uncovers another on the next start.
 */
function checkRules(source: Record<string, string | undefined>, raw: Raw, report: (problem: ConfigProblem) => void) {
  const isSet = (variable: string) => !isBlank(source[variable] ?? "");
  const isProduction = source.NODE_ENV === "production";
  if (isProduction) {
    for (const variable of SECRET_VARS) {
      if (source[variable] !== undefined && !isSet(variable))
        report({
          variable,
          message:
            'is set but empty: give it its value or remove it (an empty secret in production is a mistake, not "off")',
        });
    }
  }
  const supabaseSet = SUPABASE_VARS.filter(isSet);
  if (supabaseSet.length > 0 && supabaseSet.length < SUPABASE_VARS.length) {
    for (const variable of SUPABASE_VARS.filter((name) => !isSet(name)))
      report({
        variable,
        message: `required with ${supabaseSet.join(" and ")}: supabase mode needs all three (Supabase → Project Settings → API); or remove ${supabaseSet.length > 1 ? "them" : "it"} for postgres or embedded mode`,
      });
  }
  const mode: Mode =
    supabaseSet.length === SUPABASE_VARS.length ? "supabase" : isSet("DATABASE_URL") ? "postgres" : "embedded";
  if (isProduction && mode === "postgres" && !isSet("AUTH_SECRET"))
    report({
      variable: "AUTH_SECRET",
      message:
        "required in production in postgres mode (it signs the session cookies; every instance needs the same one): at least 32 random characters, e.g. from openssl rand -base64 32",
    });
  if (isProduction && isSet("STRIPE_API_BASE"))
    report({
      variable: "STRIPE_API_BASE",
      message:
        "is for tests only (a fake Stripe API) and not allowed in production, where calls to it would carry the secret key: remove it",
    });
  if (isProduction && mode === "supabase" && !isSet("STRIPE_SECRET_KEY"))
    report({
      variable: "STRIPE_SECRET_KEY",
      message:
        "required in supabase mode in production (it has no local test checkout): your Stripe secret key, sk_live_… from Stripe → Developers → API keys",
    });
  if (isProduction && !isSet("STRIPE_WEBHOOK_SECRET")) {
    if (isSet("STRIPE_SECRET_KEY") || mode === "supabase")
      report({
        variable: "STRIPE_WEBHOOK_SECRET",
        message:
          "required in production with STRIPE_SECRET_KEY: the signing secret (whsec_…) of your endpoint <APP_URL>/api/stripe/webhook in Stripe → Developers → Webhooks",
      });
    else if (raw.LOCAL_TEST_CHECKOUT === "1" && mode !== "embedded")
      report({
        variable: "STRIPE_WEBHOOK_SECRET",
        message:
          "required in production with LOCAL_TEST_CHECKOUT=1 outside embedded mode (the test checkout signs its events with it, the same on every instance): any random value, e.g. whsec_ followed by the output of openssl rand -hex 24",
      });
  }
  if (isProduction) {
    // Calls that carry our secret key or decide which signatures we trust go over TLS only.
    for (const variable of ["PAYSTACK_API_BASE", "FIREBLOCKS_JWKS_URL"] as const) {
      const value = raw[variable];
      if (value !== undefined && !value.startsWith("https://"))
        report({
          variable,
          message: "must be an https:// URL in production (calls to it are trusted or carry a secret)",
        });
    }
  }
  if (isSet("INVOICE_GATEWAY_URL") && !isSet("INVOICE_WEBHOOK_SECRET"))
    report({
      variable: "INVOICE_WEBHOOK_SECRET",
      message:
        "required with INVOICE_GATEWAY_URL: the secret your crypto invoice gateway signs its callbacks with (or remove INVOICE_GATEWAY_URL)",
    });
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const problems: ConfigProblem[] = [];
  // One problem per variable: a rule's ("not allowed in production", "set but empty") before its value's shape.
  const report = (problem: ConfigProblem) => {
    if (!problems.some((p) => p.variable === problem.variable)) problems.push(problem);
  };
  const badValues: ConfigProblem[] = [];
  const raw = parseFields(source, (problem) => badValues.push(problem));
  checkRules(source, raw, report);
  badValues.forEach(report);
  if (problems.length > 0) {
    throw new ConfigError(
      problems.sort((a, b) => ENV_VARIABLES.indexOf(a.variable) - ENV_VARIABLES.indexOf(b.variable)),
    );
  }
  const isProduction = raw.NODE_ENV === "production";
  const mode: Mode =
    raw.NEXT_PUBLIC_SUPABASE_URL && raw.NEXT_PUBLIC_SUPABASE_ANON_KEY && raw.SUPABASE_SERVICE_ROLE_KEY
      ? "supabase"
      : raw.DATABASE_URL
        ? "postgres"
        : "embedded";

  const dataDir = path.resolve(raw.APP_DATA_DIR ?? ".data");
  const pgliteDir = path.resolve(raw.PGLITE_DIR ?? path.join(dataDir, "pglite"));
  const generatedAllowed = mode === "embedded" || !isProduction;

  // What checkRules allowed to be missing is generated (outside production, or embedded).
  const authSecret =
    raw.AUTH_SECRET ??
    (mode === "supabase" ? "" : localSecret(dataDir, "AUTH_SECRET", () => randomBytes(32).toString("base64url")));

  // In production a signed-in user must not mint credits unless the owner asked for a demo.
  const localCheckout = raw.STRIPE_SECRET_KEY === undefined && (!isProduction || raw.LOCAL_TEST_CHECKOUT === "1");
  const stripeSecrets =
    raw.STRIPE_WEBHOOK_SECRET.length === 0 && localCheckout && generatedAllowed
      ? // The local test checkout signs its events with this, exactly as Stripe would.
        [localSecret(dataDir, "STRIPE_WEBHOOK_SECRET", () => `whsec_local_${randomBytes(24).toString("base64url")}`)]
      : raw.STRIPE_WEBHOOK_SECRET;
  // Like the test checkout, the test gateway mints credits: in production only as an opted-in demo.
  const localInvoiceGateway =
    raw.INVOICE_WEBHOOK_SECRET === undefined && generatedAllowed && (!isProduction || raw.LOCAL_TEST_CHECKOUT === "1");
  const invoiceSecret = localInvoiceGateway
    ? localSecret(dataDir, "INVOICE_WEBHOOK_SECRET", () => `inv_local_${randomBytes(24).toString("base64url")}`)
    : raw.INVOICE_WEBHOOK_SECRET;

  const appUrl = (raw.APP_URL ?? `http://localhost:${/^\d+$/.test(source.PORT ?? "") ? source.PORT : "3000"}`).replace(
    /\/$/,
    "",
  );

  const common: EnvCommon = {
    ...raw,
    isProduction,
    dataDir,
    pgliteDir,
    AUTH_SECRET: authSecret,
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
    outgoingWebhooksAllowPrivate: raw.OUTGOING_WEBHOOKS_ALLOW_PRIVATE === "1",
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

/** Whether this process runs as production (`next start`, `next build`), read without parsing the rest. */
export const runsInProduction = (): boolean => process.env.NODE_ENV === "production";

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
