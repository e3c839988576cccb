/**
 * What start-up does with a configuration that has problems (lib/env.ts finds them all at once):
 * - `next start`: prints one line per problem and exits 1 before the server says Ready
 *   (next.config.ts calls exitOnConfigProblems when Next loads it to serve; instrumentation
 *   runs only after Ready, so it is the fallback for servers that never load next.config.ts);
 * - `next dev`: prints them and keeps running; every page shows them (middleware.ts);
 * - scripts: print them and exit 1 (envForScript).
 * Plain console output: the logger reads its level from the very environment that is broken.
 */
import { ConfigError, getEnv, runsInProduction, type ConfigProblem, type Env } from "./env";

/** The problems of the current environment; none when it is valid. */
export function configProblems(): ConfigProblem[] {
  try {
    getEnv();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** The report: a headline, one line per problem (variable first), and where the variables are described. */
export function describeConfigProblems(problems: ConfigProblem[], consequence: string): string {
  return [
    `Configuration: ${problems.length} problem${problems.length === 1 ? "" : "s"}; ${consequence}`,
    ...problems.map((p) => `  ✗ ${p.variable}: ${p.message}`),
    'Every variable: .env.example. What production needs in each mode: README.md, "Minimum production configuration".',
  ].join("\n");
}

/** `next start`: exit 1 with the report when the environment has problems. */
export function exitOnConfigProblems(): void {
  const problems = configProblems();
  if (problems.length === 0) return;
  console.error(describeConfigProblems(problems, "the server does not start."));
  process.exit(1);
}

/**
 * Instrumentation at start-up. True when the environment is valid. Otherwise production exits
 * (see exitOnConfigProblems), and `next dev` prints the report and keeps serving it on every page.
 */
export function checkConfigAtStart(): boolean {
  const problems = configProblems();
  if (problems.length === 0) return true;
  if (runsInProduction()) exitOnConfigProblems();
  console.error(
    describeConfigProblems(problems, "every page shows them until they are fixed and `npm run dev` restarts."),
  );
  return false;
}

/** Scripts: the environment, or the report and exit 1. */
export function envForScript(): Env {
  const problems = configProblems();
  if (problems.length > 0) {
    console.error(describeConfigProblems(problems, "nothing was done."));
    process.exit(1);
  }
  return getEnv();
}
