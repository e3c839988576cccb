/**
 * What the README says about the environment, read from the file itself so that tests fail when
 * the text and lib/env.ts drift apart: the variables of the table under "### Every variable" and
 * the blocks under "### Minimum production configuration".
 */
import fs from "node:fs";
import path from "node:path";
import type { Mode } from "@/lib/env";

const README = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

/** The text from a heading to the next heading of the same or a higher level (outside code blocks). */
function section(heading: string): string {
  const lines = README.split("\n");
  const start = lines.indexOf(heading);
  if (start === -1) throw new Error(`README.md has no "${heading}"`);
  const level = heading.split(" ")[0].length;
  let fenced = false;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("```")) fenced = !fenced;
    const hashes = /^(#+) /.exec(line)?.[1];
    if (!fenced && hashes && hashes.length <= level) break;
    body.push(line);
  }
  return body.join("\n");
}

/** Every `NAME` in the first column of the table of variables. */
export function readmeTableVariables(): string[] {
  return section("### Every variable")
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
}

/** The variables each mode's block sets (`NAME=value` lines; comments ignored), by mode. */
export function minimumProductionConfig(): Record<Mode, string[]> {
  const text = section("### Minimum production configuration");
  const block = (title: string) => {
    const match = new RegExp(`\\*\\*${title}\\*\\*[\\s\\S]*?\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(text);
    if (!match)
      throw new Error(`README.md has no sh block after **${title}** under "Minimum production configuration"`);
    return match[1]
      .split("\n")
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
  };
  return { embedded: block("Embedded"), postgres: block("Postgres"), supabase: block("Supabase") };
}
