/**
 * Vitest's global setup. vitest.config.ts gives each run a tag (TEST_RUN_TAG) that is part of the
 * name of every server database (tests/helpers/databases.ts) and temp folder (tests/helpers/temp-dir.ts)
 * the suites make. The suites drop and remove their own in afterAll, which runs when tests fail;
 * when the run ends, this removes whatever of this run is still there (a worker that crashed or
 * was killed before its afterAll), and never anything of another run on the same machine.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export default function setup(): () => Promise<void> {
  const tag = process.env.TEST_RUN_TAG;
  return async function teardown() {
    if (!tag) return;
    const ours = (name: string) => name.startsWith("credits") && name.includes(`_${tag}_`);
    for (const name of fs.readdirSync(os.tmpdir())) {
      if (name.startsWith("credits-") && name.includes(`-${tag}-`))
        fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true, maxRetries: 5 });
    }
    const server = process.env.DATABASE_URL;
    if (!server) return;
    const admin = new URL(server);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>("select datname from pg_database");
      for (const { datname } of rows.filter((row) => ours(row.datname)))
        await client.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await client.end();
    }
  };
}
