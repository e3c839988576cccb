// ESLint 9 flat config: Next's own rules (core-web-vitals + TypeScript) through the
// eslintrc compatibility layer, since eslint-config-next 15 ships legacy configs only.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });

/** components/ and lib/ sit below app/: they must never reach up into it. */
const noImportsFromApp = {
  patterns: [
    { group: ["@/app", "@/app/*"], message: "components/ and lib/ must not import from app/ (move the code to lib/)." },
    {
      group: ["**/app", "**/app/*", "../app/*", "../../app/*"],
      message: "components/ and lib/ must not import from app/.",
    },
  ],
};

const config = [
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      ".next-*/**",
      ".data/**",
      "next-env.d.ts",
      "bench/results/**",
      "tests/fixtures/**",
      "playwright-report/**",
      "test-results/**",
      "coverage/**",
    ],
  },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
  {
    files: ["components/**/*.{ts,tsx}", "lib/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", noImportsFromApp] },
  },
  {
    // A leading underscore marks a parameter a signature requires but the body does not use
    // (useActionState's previous state, the port's options argument).
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
];

export default config;
