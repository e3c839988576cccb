/** lib/env.ts parseEnv: the mode comes from the environment, and a bad value names its variable. */
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/env";
import { makeTempDir } from "../helpers/temp-dir";

const SUPABASE = {
  NEXT_PUBLIC_SUPABASE_URL: "https://abc.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
};
const DATABASE_URL = "postgres://app:secret@db.internal:5432/credits";
const STRONG_SECRET = "s".repeat(32);

let dataDir: string;
beforeEach(() => {
  dataDir = makeTempDir("credits-env-test-");
});
afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** parseEnv with generated secrets kept in a temporary data dir. */
const parse = (source: Record<string, string | undefined>) => parseEnv({ APP_DATA_DIR: dataDir, ...source });

/** The ConfigError parseEnv throws for this source. */
function configError(source: Record<string, string | undefined>): ConfigError {
  try {
    parse(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("mode selection", () => {
  it("is embedded when nothing is set, with PGlite under the data dir", () => {
    const env = parse({});
    expect(env.mode).toBe("embedded");
    expect(env.dataDir).toBe(path.resolve(dataDir));
    expect(env.pgliteDir).toBe(path.join(path.resolve(dataDir), "pglite"));
    expect(env.localCheckout).toBe(true);
  });

  it("lets PGLITE_DIR choose where the embedded database lives", () => {
    const dir = path.join(dataDir, "elsewhere");
    expect(parse({ PGLITE_DIR: dir }).pgliteDir).toBe(dir);
  });

  it("treats empty values as unset", () => {
    expect(parse({ DATABASE_URL: "", NEXT_PUBLIC_SUPABASE_URL: "  " }).mode).toBe("embedded");
  });

  it("is postgres when DATABASE_URL is set", () => {
    const env = parse({ DATABASE_URL });
    expect(env.mode).toBe("postgres");
    expect(env.DATABASE_URL).toBe(DATABASE_URL);
  });

  it("is supabase when the three Supabase variables are set, even beside DATABASE_URL", () => {
    expect(parse(SUPABASE).mode).toBe("supabase");
    expect(parse({ ...SUPABASE, DATABASE_URL }).mode).toBe("supabase");
  });

  it("refuses a DATABASE_URL that is not a postgres URL, naming it", () => {
    const error = configError({ DATABASE_URL: "mysql://localhost/credits" });
    expect(error.variable).toBe("DATABASE_URL");
    expect(error.message).toMatch(/DATABASE_URL/);
  });
});

describe("partial Supabase configuration", () => {
  it.each([
    [{ NEXT_PUBLIC_SUPABASE_URL: SUPABASE.NEXT_PUBLIC_SUPABASE_URL }, "NEXT_PUBLIC_SUPABASE_ANON_KEY"],
    [
      { NEXT_PUBLIC_SUPABASE_URL: SUPABASE.NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon" },
      "SUPABASE_SERVICE_ROLE_KEY",
    ],
    [{ SUPABASE_SERVICE_ROLE_KEY: "service" }, "NEXT_PUBLIC_SUPABASE_URL"],
  ])("names the missing variable (%j → %s)", (source, missing) => {
    const error = configError(source);
    expect(error.variable).toBe(missing);
    expect(error.message).toContain(missing);
  });

  it("refuses a Supabase URL that is not http(s)", () => {
    expect(configError({ ...SUPABASE, NEXT_PUBLIC_SUPABASE_URL: "ftp://abc" }).variable).toBe(
      "NEXT_PUBLIC_SUPABASE_URL",
    );
  });
});

describe("FIREBLOCKS_WEBHOOK_PUBLIC_KEY", () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
    .publicKey.export({ type: "spki", format: "pem" })
    .toString();

  it("refuses a malformed PEM, naming the variable", () => {
    const error = configError({
      FIREBLOCKS_WEBHOOK_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----",
    });
    expect(error.variable).toBe("FIREBLOCKS_WEBHOOK_PUBLIC_KEY");
    expect(error.message).toMatch(/FIREBLOCKS_WEBHOOK_PUBLIC_KEY.*not a valid PEM public key/);
  });

  it("accepts a PEM written on one line with \\n escapes, as .env files hold it", () => {
    const env = parse({ FIREBLOCKS_WEBHOOK_PUBLIC_KEY: pem.trim().replace(/\n/g, "\\n") });
    expect(env.FIREBLOCKS_WEBHOOK_PUBLIC_KEY).toBe(pem.trim());
  });
});

describe("STRIPE_WEBHOOK_SECRET", () => {
  it("is a comma list, so a rotated secret and the new one both verify", () => {
    expect(parse({ STRIPE_WEBHOOK_SECRET: "whsec_old, whsec_new,," }).STRIPE_WEBHOOK_SECRET).toEqual([
      "whsec_old",
      "whsec_new",
    ]);
  });

  it("is required in production when a real Stripe key is set", () => {
    const error = configError({
      NODE_ENV: "production",
      DATABASE_URL,
      AUTH_SECRET: STRONG_SECRET,
      STRIPE_SECRET_KEY: "sk_live_abc",
    });
    expect(error.variable).toBe("STRIPE_WEBHOOK_SECRET");
  });

  it("refuses a STRIPE_SECRET_KEY that is not a Stripe secret key", () => {
    expect(configError({ STRIPE_SECRET_KEY: "pk_test_abc" }).variable).toBe("STRIPE_SECRET_KEY");
  });
});

describe("AUTH_SECRET", () => {
  it("is required in production in postgres mode, naming AUTH_SECRET", () => {
    const error = configError({
      NODE_ENV: "production",
      DATABASE_URL,
      STRIPE_SECRET_KEY: "sk_live_abc",
      STRIPE_WEBHOOK_SECRET: "whsec_x",
    });
    expect(error.variable).toBe("AUTH_SECRET");
    expect(error.message).toMatch(/AUTH_SECRET.*required in production/);
  });

  it("must be at least 32 characters", () => {
    expect(configError({ AUTH_SECRET: "short" }).variable).toBe("AUTH_SECRET");
  });

  it("is used as given", () => {
    expect(
      parse({ NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET, STRIPE_WEBHOOK_SECRET: "whsec_x" })
        .AUTH_SECRET,
    ).toBe(STRONG_SECRET);
  });

  it("is generated into the data dir in embedded mode and kept across restarts", () => {
    const first = parse({}).AUTH_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, "secrets", "auth-secret");
    expect(fs.readFileSync(file, "utf8").trim()).toBe(first);
    expect(fs.statSync(file).mode & 0o077).toBe(0); // readable by the owner only
    expect(parse({}).AUTH_SECRET).toBe(first);
    expect(parse({ NODE_ENV: "production" }).AUTH_SECRET).toBe(first);
  });

  it("is not needed in supabase mode (Supabase Auth signs sessions)", () => {
    expect(parse(SUPABASE).AUTH_SECRET).toBe("");
    expect(fs.existsSync(path.join(dataDir, "secrets", "auth-secret"))).toBe(false);
  });
});

describe("LOCAL_TEST_CHECKOUT", () => {
  const PRODUCTION = {
    NODE_ENV: "production",
    DATABASE_URL,
    AUTH_SECRET: STRONG_SECRET,
    PAYSTACK_SECRET_KEY: "sk_live_paystack",
  };

  it("is on by default outside production, with no Stripe key", () => {
    expect(parse({}).localCheckout).toBe(true);
    expect(parse({ NODE_ENV: "test", DATABASE_URL }).localCheckout).toBe(true);
  });

  it("is off in production unless LOCAL_TEST_CHECKOUT=1 (a Paystack-only deployment mints nothing, needs no Stripe secret)", () => {
    const env = parse(PRODUCTION);
    expect(env.localCheckout).toBe(false);
    expect(env.STRIPE_WEBHOOK_SECRET).toEqual([]);
    expect(parse({ NODE_ENV: "production" }).localCheckout).toBe(false); // embedded too
    expect(parse({ ...PRODUCTION, LOCAL_TEST_CHECKOUT: "0" }).localCheckout).toBe(false);
    expect(parse({ ...PRODUCTION, LOCAL_TEST_CHECKOUT: "1", STRIPE_WEBHOOK_SECRET: "whsec_demo" }).localCheckout).toBe(
      true,
    );
    expect(parse({ NODE_ENV: "production", LOCAL_TEST_CHECKOUT: "1" }).localCheckout).toBe(true);
  });

  it("needs a STRIPE_WEBHOOK_SECRET to sign with when opted into in production outside embedded mode", () => {
    expect(configError({ ...PRODUCTION, LOCAL_TEST_CHECKOUT: "1" }).variable).toBe("STRIPE_WEBHOOK_SECRET");
  });

  it("is never on when STRIPE_SECRET_KEY is set, whatever LOCAL_TEST_CHECKOUT says", () => {
    expect(parse({ STRIPE_SECRET_KEY: "sk_test_abc", LOCAL_TEST_CHECKOUT: "1" }).localCheckout).toBe(false);
    expect(
      parse({
        ...PRODUCTION,
        STRIPE_SECRET_KEY: "sk_live_abc",
        STRIPE_WEBHOOK_SECRET: "whsec_x",
        LOCAL_TEST_CHECKOUT: "1",
      }).localCheckout,
    ).toBe(false);
  });

  it("refuses anything but 0 or 1, naming the variable", () => {
    expect(configError({ LOCAL_TEST_CHECKOUT: "yes" }).variable).toBe("LOCAL_TEST_CHECKOUT");
  });

  it("gates the crypto test gateway the same way: in production (embedded) only with LOCAL_TEST_CHECKOUT=1", () => {
    expect(parse({}).localInvoiceGateway).toBe(true);
    const production = parse({ NODE_ENV: "production" });
    expect(production.localInvoiceGateway).toBe(false);
    expect(production.INVOICE_WEBHOOK_SECRET).toBeUndefined();
    expect(parse({ NODE_ENV: "production", LOCAL_TEST_CHECKOUT: "1" }).localInvoiceGateway).toBe(true);
  });
});

describe("provider API URLs in production", () => {
  const PRODUCTION = { NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET };

  it.each(["PAYSTACK_API_BASE", "FIREBLOCKS_JWKS_URL"])(
    "%s must be https:// in production, naming the variable",
    (name) => {
      const error = configError({ ...PRODUCTION, [name]: "http://api.example.com" });
      expect(error.variable).toBe(name);
      expect(error.message).toMatch(new RegExp(`${name}.*https://`));
      expect(parse({ ...PRODUCTION, [name]: "https://api.example.com" })[name as "PAYSTACK_API_BASE"]).toMatch(
        /^https:\/\/api\.example\.com/,
      );
    },
  );

  it("may be http:// outside production (local stand-ins in tests)", () => {
    expect(parse({ PAYSTACK_API_BASE: "http://127.0.0.1:4010" }).PAYSTACK_API_BASE).toBe("http://127.0.0.1:4010");
    expect(parse({ FIREBLOCKS_JWKS_URL: "http://127.0.0.1:4011/jwks.json" }).FIREBLOCKS_JWKS_URL).toBe(
      "http://127.0.0.1:4011/jwks.json",
    );
  });

  it("defaults to Paystack's and Fireblocks' https endpoints", () => {
    const env = parse(PRODUCTION);
    expect(env.PAYSTACK_API_BASE).toBe("https://api.paystack.co");
    expect(env.FIREBLOCKS_JWKS_URL).toMatch(/^https:\/\//);
  });
});

describe("mail and proxy settings", () => {
  it("defaults: no SMTP (the development mailbox outside production), From on APP_URL's host, TRUST_PROXY 0", () => {
    const env = parse({ APP_URL: "https://credits.example.com" });
    expect(env.SMTP_URL).toBeUndefined();
    expect(env).toMatchObject({
      MAIL_FROM: "Credits <no-reply@credits.example.com>",
      TRUST_PROXY: 0,
      devMailbox: true,
    });
    expect(parse({ NODE_ENV: "production" }).devMailbox).toBe(false);
    expect(parse({ SMTP_URL: "smtp://user:pass@mail.example.com:587" }).devMailbox).toBe(false);
  });

  it("reads SMTP_URL, MAIL_FROM and TRUST_PROXY", () => {
    const env = parse({
      SMTP_URL: "smtps://u:p@mail.example.com",
      MAIL_FROM: "Billing <billing@example.com>",
      TRUST_PROXY: "2",
    });
    expect(env).toMatchObject({
      SMTP_URL: "smtps://u:p@mail.example.com",
      MAIL_FROM: "Billing <billing@example.com>",
      TRUST_PROXY: 2,
    });
  });

  it.each([
    [{ SMTP_URL: "http://mail.example.com" }, "SMTP_URL"],
    [{ MAIL_FROM: "not an address" }, "MAIL_FROM"],
    [{ TRUST_PROXY: "-1" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY"],
  ])("names the variable of a bad value: %j", (source, variable) => {
    expect(configError(source).variable).toBe(variable);
  });
});

describe("operations settings", () => {
  it("keeps payloads 90 days unless WEBHOOK_PAYLOAD_RETENTION_DAYS says otherwise", () => {
    expect(parse({}).WEBHOOK_PAYLOAD_RETENTION_DAYS).toBe(90);
    expect(parse({ WEBHOOK_PAYLOAD_RETENTION_DAYS: "30" }).WEBHOOK_PAYLOAD_RETENTION_DAYS).toBe(30);
    for (const bad of ["0", "-1", "ninety", "1.5"]) {
      expect(configError({ WEBHOOK_PAYLOAD_RETENTION_DAYS: bad }).variable).toBe("WEBHOOK_PAYLOAD_RETENTION_DAYS");
    }
  });

  it("reads the alert destinations: an http(s) URL and a lower-cased e-mail list", () => {
    const env = parse({
      ALERT_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/x",
      ALERT_EMAILS: " Ops@Example.com, oncall@example.com ,",
    });
    expect(env.ALERT_WEBHOOK_URL).toBe("https://hooks.slack.com/services/T0/B0/x");
    expect(env.ALERT_EMAILS).toEqual(["ops@example.com", "oncall@example.com"]);
    expect(configError({ ALERT_WEBHOOK_URL: "hooks.slack.com/x" }).variable).toBe("ALERT_WEBHOOK_URL");
    expect(parse({}).ALERT_EMAILS).toEqual([]);
  });

  it("logs JSON at info by default, readable lines under next dev, nothing under tests unless asked", () => {
    expect(
      parse({ NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET, STRIPE_WEBHOOK_SECRET: "whsec_x" }),
    ).toMatchObject({ LOG_LEVEL: "info", LOG_FORMAT: "json" });
    expect(parse({ NODE_ENV: "development" })).toMatchObject({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" });
    expect(parse({ NODE_ENV: "test" })).toMatchObject({ LOG_LEVEL: "silent", LOG_FORMAT: "json" });
    expect(parse({ LOG_LEVEL: "debug", LOG_FORMAT: "json", NODE_ENV: "development" })).toMatchObject({
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
    });
    expect(configError({ LOG_LEVEL: "loud" }).variable).toBe("LOG_LEVEL");
    expect(configError({ LOG_FORMAT: "xml" }).variable).toBe("LOG_FORMAT");
  });
});

describe("STRIPE_API_BASE", () => {
  const production = {
    NODE_ENV: "production",
    DATABASE_URL,
    AUTH_SECRET: STRONG_SECRET,
    STRIPE_SECRET_KEY: "sk_live_abc",
    STRIPE_WEBHOOK_SECRET: "whsec_x",
  };

  it("is refused in production, naming the variable (calls to it would carry the secret key)", () => {
    const error = configError({ ...production, STRIPE_API_BASE: "https://stripe.attacker.example" });
    expect(error.variable).toBe("STRIPE_API_BASE");
    expect(error.message).toMatch(/STRIPE_API_BASE.*not allowed in production/);
  });

  it("is accepted outside production, for the tests' fake Stripe API", () => {
    expect(parse({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_API_BASE: "http://127.0.0.1:12111" }).STRIPE_API_BASE).toBe(
      "http://127.0.0.1:12111",
    );
    expect(parse(production).STRIPE_API_BASE).toBeUndefined();
  });
});

describe("APP_DATA_DIR", () => {
  /** Every secret given, so parseEnv writes nothing into the data dir under test. */
  const NOTHING_GENERATED = {
    STRIPE_SECRET_KEY: "sk_test_abc",
    STRIPE_WEBHOOK_SECRET: "whsec_x",
    INVOICE_WEBHOOK_SECRET: "inv_x",
  };

  it("is parsed by the schema: blank means the default .data", () => {
    expect(parseEnv({ ...SUPABASE, ...NOTHING_GENERATED, APP_DATA_DIR: "  " }).dataDir).toBe(path.resolve(".data"));
  });

  it("is trimmed and resolved", () => {
    expect(parseEnv({ ...SUPABASE, APP_DATA_DIR: ` ${dataDir} ` }).dataDir).toBe(path.resolve(dataDir));
  });
});

describe("an empty secret in production", () => {
  const PRODUCTION = { NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET };
  const SECRETS = [
    "AUTH_SECRET",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "INVOICE_WEBHOOK_SECRET",
    "PAYSTACK_SECRET_KEY",
    "TRADINGVIEW_WEBHOOK_SECRET",
    "CRON_SECRET",
    "METRICS_TOKEN",
    "SUPABASE_SERVICE_ROLE_KEY",
  ];

  it.each(SECRETS)("%s set but empty stops start-up, naming the variable", (name) => {
    for (const value of ["", "   ", ...(name === "STRIPE_WEBHOOK_SECRET" ? [" , "] : [])]) {
      const error = configError({ ...PRODUCTION, [name]: value });
      expect(error.variable).toBe(name);
      expect(error.message).toMatch(new RegExp(`${name}.*empty`));
    }
  });

  it("is still 'not set' outside production, and an unset secret in production stays off", () => {
    for (const name of SECRETS.filter((n) => n !== "SUPABASE_SERVICE_ROLE_KEY")) {
      expect(() => parse({ DATABASE_URL, [name]: "" })).not.toThrow();
    }
    const env = parse(PRODUCTION);
    expect(env.PAYSTACK_SECRET_KEY).toBeUndefined();
    expect(env.CRON_SECRET).toBeUndefined();
  });
});

describe("every problem at once", () => {
  it("reports each bad variable in one error, one line each, variable first, in .env.example's order", () => {
    const error = configError({
      NODE_ENV: "production",
      DATABASE_URL,
      NEXT_PUBLIC_SUPABASE_URL: "https://abc.supabase.co",
      STRIPE_API_BASE: "http://127.0.0.1:12111",
      CRON_SECRET: "",
      TRUST_PROXY: "all",
    });
    expect(error.problems.map((p) => p.variable)).toEqual([
      "NEXT_PUBLIC_SUPABASE_ANON_KEY",
      "SUPABASE_SERVICE_ROLE_KEY",
      "AUTH_SECRET",
      "STRIPE_API_BASE",
      "CRON_SECRET",
      "TRUST_PROXY",
    ]);
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(6);
    lines.forEach((line, i) => expect(line.startsWith(`${error.problems[i].variable}: `)).toBe(true));
    expect(error.variable).toBe("NEXT_PUBLIC_SUPABASE_ANON_KEY");
  });

  it("names one problem per variable: the rule before the value's shape", () => {
    const error = configError({ NODE_ENV: "production", STRIPE_API_BASE: "not a url" });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/^STRIPE_API_BASE: .*not allowed in production/);
  });

  it("still says what postgres mode needs when DATABASE_URL itself is malformed", () => {
    const error = configError({ NODE_ENV: "production", DATABASE_URL: "mysql://db/credits" });
    expect(error.problems.map((p) => p.variable)).toEqual(["DATABASE_URL", "AUTH_SECRET"]);
  });

  it("asks supabase mode in production for both Stripe variables", () => {
    const error = configError({ ...SUPABASE, NODE_ENV: "production" });
    expect(error.problems.map((p) => p.variable)).toEqual(["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]);
  });

  it.each([
    [{ NODE_ENV: "production", DATABASE_URL }, "AUTH_SECRET", /openssl rand -base64 32/],
    [
      { NEXT_PUBLIC_SUPABASE_URL: SUPABASE.NEXT_PUBLIC_SUPABASE_URL },
      "SUPABASE_SERVICE_ROLE_KEY",
      /Project Settings → API/,
    ],
    [{ AUTH_SECRET: "short" }, "AUTH_SECRET", /at least 32 characters; make one with: openssl rand/],
    [
      { APP_URL: "credits.example.com" },
      "APP_URL",
      /http:\/\/ or https:\/\/ URL, e.g. https:\/\/credits\.example\.com/,
    ],
    [{ PG_POOL_MAX: "0" }, "PG_POOL_MAX", /whole number from 1 to 200/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /one of fatal, error, warn, info, debug, trace, silent/],
    [{ NODE_ENV: "staging" }, "NODE_ENV", /next sets it/],
  ])("says what to do: %j → %s", (source, variable, advice) => {
    const problem = configError(source).problems.find((p) => p.variable === variable);
    expect(problem?.message).toMatch(advice);
  });

  it("names APP_DATA_DIR when a secret it must generate cannot be kept there", () => {
    const file = path.join(dataDir, "not-a-folder");
    fs.writeFileSync(file, "");
    const error = configError({ APP_DATA_DIR: file });
    expect(error.variable).toBe("APP_DATA_DIR");
    expect(error.message).toMatch(/cannot keep the generated AUTH_SECRET in .*ENOTDIR.*or set AUTH_SECRET yourself/);
  });
});
