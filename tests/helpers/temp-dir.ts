/**
 * A folder under the temp dir for one suite: made in beforeAll, removed in afterAll, which vitest
 * runs also when a test fails. A skipped suite makes none (a folder made while vitest collects
 * the suite would be left behind whenever the suite does not run). Its name carries the run's tag,
 * so tests/global-setup.ts removes it should the worker die before afterAll.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

export function suiteTempDir(prefix: string): { readonly path: string } {
  let dir: string | undefined;
  beforeAll(() => {
    dir = makeTempDir(prefix);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  return {
    get path() {
      if (!dir) throw new Error(`the ${prefix}* folder is made in beforeAll; use it inside a test or hook`);
      return dir;
    },
  };
}

/** A new folder under the temp dir, named `<prefix><run tag>-<random>`; the caller removes it. */
export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}${process.env.TEST_RUN_TAG ?? "untagged"}-`));
}
