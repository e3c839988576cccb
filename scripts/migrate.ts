// npm run db:migrate: applies supabase/bootstrap + supabase/migrations to DATABASE_URL, once each.
import { migrate } from "../lib/db/migrate";
import { withPostgresClient } from "../lib/db/postgres";
import { envForScript } from "../lib/config-check";

async function main(): Promise<void> {
  const env = envForScript();
  if (!env.DATABASE_URL) {
    console.error("DATABASE_URL is not set. Embedded mode (PGlite) migrates itself on first use.");
    process.exit(2);
  }
  const applied = await withPostgresClient(env.DATABASE_URL, (client) =>
    migrate(
      {
        exec: async (sql) => void (await client.query(sql)),
        query: async (sql, params) => (await client.query(sql, params)).rows,
      },
      { log: (line) => console.log(line) },
    ),
  );
  console.log(applied.length ? `${applied.length} migration(s) applied` : "database is up to date");
}

main().catch((error: Error) => {
  console.error(`migration failed: ${error.message}`);
  process.exit(1);
});
