/**
 * The README and .env.example tell the truth about the environment: the README's table and
 * .env.example name exactly the variables lib/env.ts reads, and each "Minimum production
 * configuration" block is what its mode needs in production: it parses, in that mode, and
 * leaving out any line stops start-up naming that variable.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, ENV_VARIABLES, parseEnv, type Mode } from "@/lib/env";
import { minimumProductionConfig, readmeTableVariables } from "../helpers/readme";
import { suiteTempDir } from "../helpers/temp-dir";

const ROOT = path.resolve(import.meta.dirname, "../..");
const dataDir = suiteTempDir("credits-env-docs-test-");

/** A well-formed value for each variable a README block may name. */
const SAMPLE: Record<string, string> = {
  DATABASE_URL: "postgres://credits:secret@db.example.com:5432/credits",
  AUTH_SECRET: "a".repeat(43),
  NEXT_PUBLIC_SUPABASE_URL: "https://project.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
  STRIPE_SECRET_KEY: "sk_live_example",
  STRIPE_WEBHOOK_SECRET: "whsec_example",
};

function production(names: string[]) {
  const source: Record<string, string> = { NODE_ENV: "production", APP_DATA_DIR: dataDir.path };
  for (const name of names) {
    expect(SAMPLE[name], `no sample value for ${name}: add one to SAMPLE`).toBeDefined();
    source[name] = SAMPLE[name];
  }
  return source;
}

describe("the README's table of variables", () => {
  it("lists every variable lib/env.ts reads", () => {
    expect(ENV_VARIABLES.filter((name) => !readmeTableVariables().includes(name))).toEqual([]);
  });

  it("lists no variable lib/env.ts does not read", () => {
    expect(readmeTableVariables().filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
  });
});

describe(".env.example", () => {
  const example = fs.readFileSync(path.join(ROOT, ".env.example"), "utf8");

  it("mentions every variable lib/env.ts reads", () => {
    expect(ENV_VARIABLES.filter((name) => !new RegExp(`\\b${name}\\b`).test(example))).toEqual([]);
  });

  it("sets (commented out) no variable lib/env.ts does not read", () => {
    const assigned = [...example.matchAll(/^# ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(assigned.length).toBeGreaterThan(20);
    expect(assigned.filter((name) => !ENV_VARIABLES.includes(name))).toEqual([]);
  });
});

describe("the README's minimum production configuration", () => {
  const blocks = minimumProductionConfig();

  it.each(Object.keys(blocks) as Mode[])("for %s mode parses, in that mode", (mode) => {
    expect(parseEnv(production(blocks[mode])).mode).toBe(mode);
  });

  it.each(Object.keys(blocks) as Mode[])(
    "for %s mode has nothing to spare: without any one line, start-up stops naming that variable",
    (mode) => {
      // DATABASE_URL chooses postgres mode: without it the same lines are another mode's question.
      for (const left of blocks[mode].filter((name) => name !== "DATABASE_URL")) {
        const error = (() => {
          try {
            parseEnv(production(blocks[mode].filter((name) => name !== left)));
          } catch (e) {
            return e;
          }
        })();
        expect(error, `${mode} mode without ${left}`).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems.map((p) => p.variable)).toContain(left);
      }
    },
  );
});
