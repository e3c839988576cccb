/** lib/env.ts parseEnv: the mode comes from the environment, and a bad value names its variable. */
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/env";

const SUPABASE = {
  NEXT_PUBLIC_SUPABASE_URL: "https://abc.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
};
const DATABASE_URL = "postgres://app:secret@db.internal:5432/credits";
const STRONG_SECRET = "s".repeat(32);

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "env-test-"));
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
    [{ NEXT_PUBLIC_SUPABASE_URL: SUPABASE.NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon" }, "SUPABASE_SERVICE_ROLE_KEY"],
    [{ SUPABASE_SERVICE_ROLE_KEY: "service" }, "NEXT_PUBLIC_SUPABASE_URL"],
  ])("names the missing variable (%j → %s)", (source, missing) => {
    const error = configError(source);
    expect(error.variable).toBe(missing);
    expect(error.message).toContain(missing);
  });

  it("refuses a Supabase URL that is not http(s)", () => {
    expect(configError({ ...SUPABASE, NEXT_PUBLIC_SUPABASE_URL: "ftp://abc" }).variable).toBe("NEXT_PUBLIC_SUPABASE_URL");
  });
});

describe("FIREBLOCKS_WEBHOOK_PUBLIC_KEY", () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();

  it("refuses a malformed PEM, naming the variable", () => {
    const error = configError({ FIREBLOCKS_WEBHOOK_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----" });
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
    expect(parse({ STRIPE_WEBHOOK_SECRET: "whsec_old, whsec_new,," }).STRIPE_WEBHOOK_SECRET).toEqual(["whsec_old", "whsec_new"]);
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
    const error = configError({ NODE_ENV: "production", DATABASE_URL, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_WEBHOOK_SECRET: "whsec_x" });
    expect(error.variable).toBe("AUTH_SECRET");
    expect(error.message).toMatch(/AUTH_SECRET.*required in production/);
  });

  it("must be at least 32 characters", () => {
    expect(configError({ AUTH_SECRET: "short" }).variable).toBe("AUTH_SECRET");
  });

  it("is used as given", () => {
    expect(parse({ NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET, STRIPE_WEBHOOK_SECRET: "whsec_x" }).AUTH_SECRET).toBe(
      STRONG_SECRET,
    );
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

describe("STRIPE_API_BASE", () => {
  const production = { NODE_ENV: "production", DATABASE_URL, AUTH_SECRET: STRONG_SECRET, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_WEBHOOK_SECRET: "whsec_x" };

  it("is refused in production, naming the variable (calls to it would carry the secret key)", () => {
    const error = configError({ ...production, STRIPE_API_BASE: "https://stripe.attacker.example" });
    expect(error.variable).toBe("STRIPE_API_BASE");
    expect(error.message).toMatch(/STRIPE_API_BASE.*not allowed in production/);
  });

  it("is accepted outside production, for the tests' fake Stripe API", () => {
    expect(parse({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_API_BASE: "http://127.0.0.1:12111" }).STRIPE_API_BASE).toBe("http://127.0.0.1:12111");
    expect(parse(production).STRIPE_API_BASE).toBeUndefined();
  });
});

describe("APP_DATA_DIR", () => {
  /** Every secret given, so parseEnv writes nothing into the data dir under test. */
  const NOTHING_GENERATED = { STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_x", INVOICE_WEBHOOK_SECRET: "inv_x" };

  it("is parsed by the schema: blank means the default .data", () => {
    expect(parseEnv({ ...SUPABASE, ...NOTHING_GENERATED, APP_DATA_DIR: "  " }).dataDir).toBe(path.resolve(".data"));
  });

  it("is trimmed and resolved", () => {
    expect(parseEnv({ ...SUPABASE, APP_DATA_DIR: ` ${dataDir} ` }).dataDir).toBe(path.resolve(dataDir));
  });
});
